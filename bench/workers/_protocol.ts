/**
 * The worker side of the bench line protocol (see bench/_procs.ts): print
 * `ready`, wait for a line, answer with JSON lines. Stamps are
 * CLOCK_MONOTONIC nanoseconds, the clock the C and Python workers use too.
 */
import { createInterface } from "node:readline";

const queue: string[] = [];
let waiting: ((line: string | undefined) => void) | undefined;
let closed = false;
const rl = createInterface({ input: process.stdin });
rl.on("line", (line) => {
  const w = waiting;
  waiting = undefined;
  if (w !== undefined) w(line);
  else queue.push(line);
});
rl.on("close", () => {
  closed = true;
  const w = waiting;
  waiting = undefined;
  w?.(undefined);
});

/** The next line from the parent; undefined at end of input. */
export function nextLine(): Promise<string | undefined> {
  const queued = queue.shift();
  if (queued !== undefined || closed) return Promise.resolve(queued);
  return new Promise((resolve) => (waiting = resolve));
}

/** Print one JSON answer line. */
export function emit(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** Announce readiness and wait for the parent's go. */
export async function readyThenGo(): Promise<void> {
  process.stdout.write("ready\n");
  await nextLine();
}

/** Stop reading stdin so the process can exit once its work is done. */
export function done(): void {
  rl.close();
}

/** CLOCK_MONOTONIC in nanoseconds. */
export function now(): number {
  return Number(process.hrtime.bigint());
}

/** A positive integer argument, or exit with a usage error. */
export function intArg(value: string | undefined, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`bench worker: ${name} must be a non-negative integer, got ${String(value)}\n`);
    process.exit(2);
  }
  return n;
}

/** A required string argument, or exit with a usage error. */
export function strArg(value: string | undefined, name: string): string {
  if (value === undefined || value === "") {
    process.stderr.write(`bench worker: missing ${name}\n`);
    process.exit(2);
  }
  return value;
}
