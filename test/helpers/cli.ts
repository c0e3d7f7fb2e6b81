/**
 * Running the real compiled `exlab-cache` binary in a child process, in a
 * chosen working directory, always reaped when the test ends.
 */
import { spawn } from "node:child_process";
import type { TestContext } from "node:test";
import { fileURLToPath } from "node:url";

/** The compiled binary, `dist/cli/bin.js` at the package root. */
export const BIN = fileURLToPath(new URL("../../../dist/cli/bin.js", import.meta.url));

/**
 * The shell words that run a script on this runtime, for a command line a
 * shell runs (under `script`, for a terminal): the runtime's own path, and
 * under Deno `run -A`, which its `child_process` adds by itself when a test
 * spawns `process.execPath` directly (a bare `deno file.js` asks for
 * permissions on a terminal and waits).
 */
export const RUN_SCRIPT = `'${process.execPath}'${typeof (globalThis as { Deno?: unknown }).Deno === "object" ? " run -A" : ""}`;

/** The package root (where `examples/` lives). */
export const PACKAGE_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run `node <command> ...args` with `cwd` and extra `env`; resolve when it exits. */
export function runNodeIn(t: TestContext, command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  const env = { ...process.env, ...options.env };
  // A colour or progress setting of the caller's must not leak into the child.
  if (options.env?.["NO_COLOR"] === undefined) delete env["NO_COLOR"];
  const child = spawn(process.execPath, [command, ...args], { cwd: options.cwd ?? PACKAGE_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Run the binary with `args`. */
export function cli(t: TestContext, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  return runNodeIn(t, BIN, args, options);
}

/**
 * Parse a run's stdout as one JSON document (failing with the output shown
 * when it is not), check that it is an object with `version: 1`, as every
 * `--json` document must be, and return it without that member.
 */
export function stdoutJson(run: CliRun): unknown {
  let doc: unknown;
  try {
    doc = JSON.parse(run.stdout);
  } catch {
    throw new Error(`stdout is not JSON (exit ${run.code}):\n${run.stdout}\nstderr:\n${run.stderr}`);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc) || !("version" in doc) || doc.version !== 1) {
    throw new Error(`stdout is not a JSON object with version 1 (exit ${run.code}):\n${run.stdout}`);
  }
  const { version: _version, ...rest } = doc as Record<string, unknown>;
  return rest;
}
