/**
 * Bench child processes and their start barrier.
 *
 * Every worker (C, Node or Python) speaks the same line protocol: it sets
 * itself up, prints `ready`, waits for a line on stdin, does its work and
 * prints one JSON line per answer. The parent sends `go` only when every
 * worker of a run is ready, so process start-up (tens of milliseconds for
 * Node and Python) never lands inside a measurement.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface } from "node:readline";

/** A running worker. */
export class Worker {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #lines: string[] = [];
  #waiting: ((line: string | undefined) => void) | undefined;
  #closed = false;
  #stderr = "";
  readonly #exited: Promise<number | null>;
  readonly label: string;

  constructor(label: string, command: string, args: readonly string[], env?: Readonly<Record<string, string>>) {
    this.label = label;
    this.#child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"], ...(env === undefined ? {} : { env: { ...process.env, ...env } }) });
    live.add(this.#child);
    this.#child.stderr.setEncoding("utf8").on("data", (d: string) => (this.#stderr += d));
    const rl = createInterface({ input: this.#child.stdout });
    rl.on("line", (line) => {
      const w = this.#waiting;
      this.#waiting = undefined;
      if (w !== undefined) w(line);
      else this.#lines.push(line);
    });
    rl.on("close", () => {
      this.#closed = true;
      const w = this.#waiting;
      this.#waiting = undefined;
      w?.(undefined);
    });
    this.#exited = new Promise((resolve) => {
      this.#child.once("error", (err) => {
        this.#stderr += String(err);
        resolve(null);
      });
      this.#child.once("close", (code) => {
        live.delete(this.#child);
        resolve(code);
      });
    });
  }

  /** The next line the worker prints; throws if it exits first. */
  async nextLine(): Promise<string> {
    const queued = this.#lines.shift();
    if (queued !== undefined) return queued;
    const line = this.#closed ? undefined : await new Promise<string | undefined>((r) => (this.#waiting = r));
    if (line !== undefined) return line;
    const code = await this.#exited;
    throw new Error(`bench worker ${this.label} exited (${String(code)}) early: ${this.#stderr.trim() || "no output"}`);
  }

  /** The next line, parsed as JSON. */
  async nextJson<T>(): Promise<T> {
    const line = await this.nextLine();
    try {
      return JSON.parse(line) as T;
    } catch {
      throw new Error(`bench worker ${this.label} printed ${JSON.stringify(line.slice(0, 200))}, not JSON`);
    }
  }

  /** Wait until the worker prints `ready`. */
  async ready(): Promise<void> {
    const line = await this.nextLine();
    if (line !== "ready") throw new Error(`bench worker ${this.label} printed ${JSON.stringify(line)} instead of "ready"`);
  }

  /** Send one line to the worker. */
  send(line: string): void {
    this.#child.stdin.write(`${line}\n`);
  }

  /** Close the worker's stdin and wait for a clean exit. */
  async finish(): Promise<void> {
    this.#child.stdin.end();
    const code = await this.#exited;
    if (code !== 0) throw new Error(`bench worker ${this.label} exited with ${String(code)}: ${this.#stderr.trim()}`);
  }

  /** Kill the worker if it still runs. */
  kill(): void {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill("SIGKILL");
  }
}

const live = new Set<ChildProcessWithoutNullStreams>();

/** Kill every worker still running (on error paths and at exit). */
export function killAll(): void {
  for (const child of live) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
}

/** A command line for one worker. */
export interface WorkerSpec {
  label: string;
  command: string;
  args: readonly string[];
  /** Variables added to the parent's environment. @default none */
  env?: Readonly<Record<string, string>>;
}

/**
 * Start `specs`, wait until all are ready, release them at once, and collect
 * one JSON answer from each. Workers are killed if anything fails.
 */
export async function runTogether<T>(specs: readonly WorkerSpec[]): Promise<T[]> {
  const workers = specs.map((s) => new Worker(s.label, s.command, s.args, s.env));
  try {
    await Promise.all(workers.map((w) => w.ready()));
    for (const w of workers) w.send("go");
    const answers = await Promise.all(workers.map((w) => w.nextJson<T>()));
    await Promise.all(workers.map((w) => w.finish()));
    return answers;
  } finally {
    for (const w of workers) w.kill();
  }
}

/** Start long-lived workers and wait until all are ready (caller must finish or kill them). */
export async function startReady(specs: readonly WorkerSpec[]): Promise<Worker[]> {
  const workers = specs.map((s) => new Worker(s.label, s.command, s.args, s.env));
  try {
    await Promise.all(workers.map((w) => w.ready()));
    return workers;
  } catch (err) {
    for (const w of workers) w.kill();
    throw err;
  }
}
