/**
 * Real child processes for concurrency tests: spawned with a timeout, their
 * output collected, and always reaped when the test ends.
 */
import { spawn, type ChildProcess } from "node:child_process";
import type { TestContext } from "node:test";
import { fileURLToPath } from "node:url";

/** Path of a compiled worker script under test/workers/. */
export function workerScript(name: string): string {
  return fileURLToPath(new URL(`../workers/${name}.js`, import.meta.url));
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * A Node of another architecture run under an emulator (the arm64 lane runs
 * `qemu-aarch64 node …`) cannot start itself by `process.execPath`: the
 * lane names the emulator in EXLAB_TEST_NODE_LAUNCHER and children of this
 * Node go through it too.
 */
const NODE_LAUNCHER = process.env.EXLAB_TEST_NODE_LAUNCHER;

/**
 * The C compiler for a library the Node under test will preload: the host's
 * `cc`, or the arm64 cross compiler when this Node is an emulated arm64 one
 * (a host library cannot be loaded into it).
 */
export function preloadCc(): string {
  if (process.arch !== "arm64" || NODE_LAUNCHER === undefined || NODE_LAUNCHER === "") return "cc";
  return "aarch64-linux-gnu-gcc";
}

/** Start a child and make sure the test kills it if it is still running at the end. */
export function startChild(t: TestContext, command: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  if (NODE_LAUNCHER !== undefined && NODE_LAUNCHER !== "" && command === process.execPath) {
    args = [command, ...args];
    command = NODE_LAUNCHER;
  }
  const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, ...env } });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  return child;
}

/** Wait for a child to exit and collect its output. */
export function finished(child: ChildProcess): Promise<ChildResult> {
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr?.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Run a node script to completion. */
export async function runNode(t: TestContext, script: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<ChildResult> {
  return finished(startChild(t, process.execPath, [script, ...args], env));
}

/** Resolve when `child` prints a line equal to `line` on stdout. */
export function waitForLine(child: ChildProcess, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let buf = "";
    const onData = (d: Buffer | string): void => {
      buf += d.toString();
      if (buf.split("\n").includes(line)) {
        child.stdout?.off("data", onData);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`child exited (${code}) before printing ${line}; stderr follows`)));
  });
}

/**
 * Wait until every child has printed `ready`, tell them all `go` at once,
 * and collect each one's result once it exits: the start of a race no
 * child can begin early.
 */
export async function goTogether(children: ChildProcess[]): Promise<ChildResult[]> {
  const done = children.map((c) => finished(c));
  await Promise.all(children.map((c) => waitForLine(c, "ready")));
  for (const c of children) c.stdin?.write("go\n");
  return Promise.all(done);
}

/** The last line a child printed. */
export function lastLine(result: ChildResult): string {
  return result.stdout.trim().split("\n").at(-1) ?? "";
}
