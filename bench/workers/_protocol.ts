/**
 * The worker side of the bench line protocol (see bench/_procs.ts): print
 * `ready`, wait for a line, answer with JSON lines. Stamps are
 * CLOCK_MONOTONIC nanoseconds, the clock the C and Python workers use too.
 */
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";

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

/**
 * The timed loop of the sequential-write workers: `warmup` untimed calls of
 * `op` (the first `count` after the very first reported as `fresh`), then
 * `ready`, the parent's go, and `count` timed calls `pauseMs` apart; answers
 * {start, end, lat[], fresh[]} and stops reading stdin.
 */
export async function warmThenTime(count: number, pauseMs: number, warmup: number, op: () => Promise<unknown>): Promise<void> {
  const fresh: number[] = [];
  for (let i = 0; i < warmup; i++) {
    const t0 = now();
    await op();
    if (i > 0 && fresh.length < count) fresh.push(now() - t0);
  }
  await readyThenGo();
  const lat: number[] = [];
  const start = now();
  for (let i = 0; i < count; i++) {
    if (i > 0 && pauseMs > 0) await sleep(pauseMs);
    const t0 = now();
    await op();
    lat.push(now() - t0);
  }
  emit({ start, end: now(), lat, fresh });
  done();
}
