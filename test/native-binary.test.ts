/**
 * Which binary loads, and what a failed load says to do. The decision is a
 * pure function of facts (src/fs/_binary.ts), checked here cause by cause
 * with the facts given; the facts themselves are gathered for real from a
 * copy of the package laid out as each cause leaves it (no prebuild, no
 * build/ folder, no compiler on PATH, a pnpm lockfile, a wrong LIBC), and
 * the libc detection reads the memory maps of real glibc and musl processes.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { cp, mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { needs } from "./helpers/capabilities.js";
import { PACKAGE_ROOT } from "./helpers/cli.js";
import { tempDir } from "./helpers/tmp.js";
import type * as BinaryModule from "../dist/fs/_binary.js";
import type { BinaryFacts } from "../dist/fs/_binary.js";
const { diagnoseBinary, forLibc, libcFromMaps, libcFromReport, libcTag } = (await import(new URL("../../dist/fs/_binary.js", import.meta.url).href)) as typeof BinaryModule;

const PREBUILDS = join(PACKAGE_ROOT, "prebuilds");

// ---- the runtime's C library ------------------------------------------------

test("the C library is read from a process's own memory map: glibc here, musl in a real musl process", needs(["musl"]), async (t) => {
  assert.equal(libcFromMaps(readFileSync("/proc/self/maps", "latin1")), "glibc");
  const dir = await tempDir(t);
  await writeFile(join(dir, "maps.c"), '#include <stdio.h>\nint main(void){FILE*f=fopen("/proc/self/maps","r");int c;while((c=fgetc(f))!=EOF)putchar(c);return 0;}\n');
  execFileSync("musl-gcc", ["-o", join(dir, "maps"), join(dir, "maps.c")]);
  const maps = execFileSync(join(dir, "maps"), { encoding: "latin1" });
  // Debian's loader is a link to musl's libc.so, the name the map shows.
  assert.match(maps, /\/x86_64-linux-musl\/libc\.so$/m);
  assert.equal(libcFromMaps(maps), "musl");
  // A process with neither mapped (static) says nothing.
  execFileSync("musl-gcc", ["-static", "-o", join(dir, "maps-static"), join(dir, "maps.c")]);
  assert.equal(libcFromMaps(execFileSync(join(dir, "maps-static"), { encoding: "latin1" })), null);
});

test("the diagnostic report: Node's header names a glibc runtime; one without that field is musl; Deno's stand-in says nothing", () => {
  const header = (process.report.getReport() as { header: Record<string, unknown> }).header;
  assert.equal(typeof header["glibcVersionRuntime"], "string");
  assert.equal(libcFromReport(header, "node"), "glibc");
  const { glibcVersionRuntime: _gone, ...musl } = header;
  assert.equal(libcFromReport(musl, "node"), "musl");
  assert.equal(libcFromReport(header, "deno"), null);
  assert.equal(libcFromReport(undefined, "node"), null);
});

// ---- which prebuild ----------------------------------------------------------

test("forLibc swaps a prebuild for its sibling built for the runtime's C library, and only then", () => {
  const glibc = join(PREBUILDS, "linux-x64", "node.napi.glibc.node");
  const musl = join(PREBUILDS, "linux-x64", "node.napi.musl.node");
  assert.deepEqual([libcTag(glibc), libcTag(musl), libcTag(join(PREBUILDS, "win32-x64", "node.napi.node"))], ["glibc", "musl", null]);
  assert.equal(forLibc(glibc, "musl", existsSync), musl);
  assert.equal(forLibc(musl, "glibc", existsSync), glibc);
  assert.equal(forLibc(glibc, "glibc", existsSync), glibc);
  assert.equal(forLibc(glibc, null, existsSync), glibc);
  // No musl prebuild for arm64: the glibc one stays (and its failure is diagnosed).
  const arm = join(PREBUILDS, "linux-arm64", "node.napi.glibc.node");
  assert.equal(forLibc(arm, "musl", existsSync), arm);
  // A local build has no libc tag: it was compiled here.
  const local = join(PACKAGE_ROOT, "build", "Release", "exlab_cache.node");
  assert.equal(forLibc(local, "musl", () => true), local);
});

// ---- the one fix, from the facts ----------------------------------------------

const linux: BinaryFacts = {
  platform: "linux",
  arch: "x64",
  libc: "glibc",
  libcOverride: null,
  picked: "/app/node_modules/exlab-cache/prebuilds/linux-x64/node.napi.glibc.node",
  prebuilds: ["node.napi.glibc.node", "node.napi.musl.node"],
  localBuild: "none",
  scriptsIgnored: false,
  packageManager: "npm",
  missingTools: [],
};
const mac: BinaryFacts = { ...linux, platform: "darwin", arch: "arm64", libc: null, picked: null, prebuilds: [] };

test("the glibc prebuild on a musl runtime (Void, a container without /etc/alpine-release): LIBC=musl", () => {
  const d = diagnoseBinary({ ...linux, libc: "musl", missingTools: ["a C compiler"] });
  assert.equal(d.kind, "libc_mismatch");
  assert.equal(d.cause, "this runtime uses musl, but the glibc prebuild was loaded (node-gyp-build found no /etc/alpine-release)");
  assert.equal(d.fix, "set `LIBC=musl` in the environment");
});

test("LIBC naming the other C library: set it right or unset it", () => {
  const wrong = diagnoseBinary({ ...linux, libc: "musl", libcOverride: "glibc" });
  assert.equal(wrong.kind, "libc_mismatch");
  assert.equal(wrong.fix, "set `LIBC=musl`, or unset LIBC: the musl prebuild is picked by itself");
  // A LIBC value no prebuild carries: nothing was picked at all.
  const typo = diagnoseBinary({ ...linux, libcOverride: "gnu", picked: null });
  assert.equal(typo.kind, "libc_mismatch");
  assert.equal(typo.cause, "this runtime uses glibc, but no prebuild matches LIBC=gnu (LIBC=gnu is set)");
  assert.equal(typo.fix, "set `LIBC=glibc`, or unset LIBC: the glibc prebuild is picked by itself");
});

test("a prebuild that fails where the C library cannot be told: the other libc's prebuild, by LIBC", () => {
  const d = diagnoseBinary({ ...linux, libc: null });
  assert.equal(d.kind, "libc_unknown");
  assert.match(d.fix, /^set `LIBC=musl` in the environment if this system's C library is musl/);
});

test("musl on arm64, where only a glibc prebuild ships: a compile, not LIBC", () => {
  const d = diagnoseBinary({ ...linux, arch: "arm64", libc: "musl", picked: "/app/prebuilds/linux-arm64/node.napi.glibc.node", prebuilds: ["node.napi.glibc.node"] });
  assert.equal(d.kind, "needs_rebuild");
  assert.equal(d.fix, "run `npm rebuild exlab-cache`");
  assert.doesNotMatch(`${d.cause} ${d.fix}`, /LIBC/);
});

test("macOS without the Xcode command line tools: install them, then rebuild", () => {
  const d = diagnoseBinary({ ...mac, missingTools: ["the Xcode command line tools"] });
  assert.equal(d.kind, "no_toolchain");
  assert.equal(d.cause, "no prebuilt binary ships for darwin-arm64, and compiling one needs the Xcode command line tools, not found on PATH");
  assert.equal(d.fix, "install the Xcode command line tools (`xcode-select --install`), then run `npm rebuild exlab-cache`");
});

test("Linux with no prebuild and no compiler: the missing tools by name", () => {
  const d = diagnoseBinary({ ...linux, arch: "riscv64", picked: null, prebuilds: [], missingTools: ["make", "a C compiler"] });
  assert.equal(d.kind, "no_toolchain");
  assert.match(d.fix, /^install make, a C compiler \(Debian\/Ubuntu: .*\), then run `npm rebuild exlab-cache`$/);
});

test("install scripts that never ran: approve them the way the package manager that skipped them wants", () => {
  const cases: [BinaryFacts, RegExp][] = [
    [{ ...mac, packageManager: "pnpm" }, /^approve its build script \(`pnpm approve-builds`, or list exlab-cache in onlyBuiltDependencies\), then `pnpm rebuild exlab-cache`$/],
    [{ ...mac, packageManager: "bun" }, /^trust its install script: `bun pm trust exlab-cache` \(adds it to trustedDependencies and runs it\)$/],
    [{ ...mac, packageManager: "npm", scriptsIgnored: true }, /^run its install script, which npm was told to skip: `npm rebuild exlab-cache --ignore-scripts=false`$/],
    [{ ...mac, packageManager: "npm" }, /^approve its install script \(`npm approve-scripts exlab-cache`, or `"allowScripts": \{ "exlab-cache": true \}` in package\.json\) and run it/],
    [{ ...mac, packageManager: "yarn" }, /dependenciesMeta.*then `yarn rebuild exlab-cache`$/],
  ];
  for (const [facts, fix] of cases) {
    const d = diagnoseBinary(facts);
    assert.equal(d.kind, "scripts_not_run", facts.packageManager ?? "");
    assert.match(d.fix, fix);
  }
  assert.match(diagnoseBinary({ ...mac, scriptsIgnored: true }).cause, /never ran \(npm_config_ignore_scripts is set\)$/);
  assert.match(diagnoseBinary(mac).cause, /never ran \(there is no build\/ folder\)$/);
});

test("scripts that ran and a toolchain at hand: rebuild (a failed compile, a local build that does not load)", () => {
  const failed = diagnoseBinary({ ...mac, localBuild: "failed" });
  assert.deepEqual([failed.kind, failed.fix], ["needs_rebuild", "run `npm rebuild exlab-cache`"]);
  assert.match(failed.cause, /the last compile left no binary in build\/$/);
  const local = diagnoseBinary({ ...linux, picked: "/app/node_modules/exlab-cache/build/Release/exlab_cache.node", localBuild: "built" });
  assert.deepEqual([local.kind, local.fix], ["needs_rebuild", "run `npm rebuild exlab-cache`"]);
  // Windows: the tools cannot be checked from PATH, so the fix says what the compile needs.
  const win = diagnoseBinary({ ...mac, platform: "win32", arch: "arm64", localBuild: "failed", missingTools: null, packageManager: "pnpm" });
  assert.equal(win.fix, "run `pnpm rebuild exlab-cache` (it needs Python 3 and the Visual Studio Build Tools)");
});

// ---- the facts, gathered from real installs -----------------------------------

/**
 * The package as installed in `<dir>/project/node_modules/exlab-cache`:
 * dist, package.json and the dependencies, with `prebuilds` copied when
 * asked (else none ship for this machine).
 */
async function installedCopy(t: TestContext, options: { prebuilds?: boolean } = {}): Promise<{ project: string; pkg: string }> {
  const project = join(await tempDir(t), "project");
  const pkg = join(project, "node_modules", "exlab-cache");
  await mkdir(pkg, { recursive: true });
  await cp(join(PACKAGE_ROOT, "dist"), join(pkg, "dist"), { recursive: true });
  await cp(join(PACKAGE_ROOT, "package.json"), join(pkg, "package.json"));
  await symlink(join(PACKAGE_ROOT, "node_modules"), join(pkg, "node_modules"));
  if (options.prebuilds === true) await cp(PREBUILDS, join(pkg, "prebuilds"), { recursive: true });
  return { project, pkg };
}

/** What the copy's own gatherer and decision say, run in a fresh process with `env`. */
function diagnosisIn(pkg: string, env: NodeJS.ProcessEnv): { kind: string; cause: string; fix: string; facts: BinaryFacts } {
  const script = `import(${JSON.stringify(join(pkg, "dist", "fs", "_native.js"))}).then((m) => console.log(JSON.stringify({ ...m.binaryDiagnosis(), facts: m.binaryFacts() })))`;
  const clean: NodeJS.ProcessEnv = { ...process.env };
  for (const key of ["LIBC", "npm_config_ignore_scripts", "npm_config_user_agent", "EXLAB_CACHE_PREBUILD", "PREBUILDS_ONLY"]) delete clean[key];
  const r = spawnSync(process.execPath, ["-e", script], { env: { ...clean, ...env }, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { kind: string; cause: string; fix: string; facts: BinaryFacts };
}

test("gathered: no prebuild, no build/, a pnpm lockfile: scripts_not_run, approved the pnpm way", async (t) => {
  const { project, pkg } = await installedCopy(t);
  await writeFile(join(project, "pnpm-lock.yaml"), "lockfileVersion: '9.0'\n");
  const d = diagnosisIn(pkg, {});
  assert.deepEqual([d.facts.picked, d.facts.prebuilds, d.facts.localBuild, d.facts.packageManager, d.facts.missingTools], [null, [], "none", "pnpm", []]);
  assert.equal(d.kind, "scripts_not_run");
  assert.match(d.fix, /`pnpm approve-builds`/);
});

test("gathered: npm told to skip scripts (npm_config_ignore_scripts) in an npm project", async (t) => {
  const { project, pkg } = await installedCopy(t);
  await writeFile(join(project, "package-lock.json"), "{}\n");
  const d = diagnosisIn(pkg, { npm_config_ignore_scripts: "true" });
  assert.deepEqual([d.facts.packageManager, d.facts.scriptsIgnored], ["npm", true]);
  assert.equal(d.fix, "run its install script, which npm was told to skip: `npm rebuild exlab-cache --ignore-scripts=false`");
});

test("gathered: no compiler, make or Python on PATH: the toolchain, whatever else is true", async (t) => {
  const { pkg } = await installedCopy(t);
  const bin = join(await tempDir(t), "bin");
  await mkdir(bin);
  await symlink(process.execPath, join(bin, "node"));
  const d = diagnosisIn(pkg, { PATH: bin, npm_config_ignore_scripts: "true" });
  assert.deepEqual(d.facts.missingTools, ["python3", "make", "a C compiler"]);
  assert.equal(d.kind, "no_toolchain");
  assert.match(d.fix, /^install python3, make, a C compiler \(Debian\/Ubuntu: `apt-get install python3 make gcc`.*\), then run `npm rebuild exlab-cache --ignore-scripts=false`$/);
});

test("gathered: a build/ folder the compile left without a binary: rebuild", async (t) => {
  const { pkg } = await installedCopy(t);
  await mkdir(join(pkg, "build", "Release"), { recursive: true });
  const d = diagnosisIn(pkg, {});
  assert.deepEqual([d.facts.localBuild, d.kind, d.fix], ["failed", "needs_rebuild", "run `npm rebuild exlab-cache`"]);
});

test("gathered, with a real wrong binary: LIBC=musl on this glibc machine loads the musl prebuild, which fails; the fix is LIBC=glibc or no LIBC", async (t) => {
  const { pkg } = await installedCopy(t, { prebuilds: true });
  // Without LIBC this runtime gets the glibc prebuild.
  const script = `import(${JSON.stringify(join(pkg, "dist", "fs", "_native.js"))}).then((m) => { console.log(m.nativeAddonPath()); try { m.flockBackend(); console.log("loaded"); } catch (e) { console.log("failed: " + e.message.split("\\n")[0]); } })`;
  const run = (env: NodeJS.ProcessEnv): string[] => {
    const clean: NodeJS.ProcessEnv = { ...process.env, ...env };
    if (env.LIBC === undefined) delete clean.LIBC;
    return spawnSync(process.execPath, ["-e", script], { env: clean, encoding: "utf8" }).stdout.trim().split("\n");
  };
  assert.deepEqual(run({}), [join(pkg, "prebuilds", "linux-x64", "node.napi.glibc.node"), "loaded"]);
  const [picked, outcome] = run({ LIBC: "musl" });
  assert.equal(picked, join(pkg, "prebuilds", "linux-x64", "node.napi.musl.node"));
  assert.match(outcome ?? "", /^failed: /);
  const d = diagnosisIn(pkg, { LIBC: "musl" });
  assert.deepEqual([d.facts.libc, d.facts.libcOverride, d.kind], ["glibc", "musl", "libc_mismatch"]);
  assert.equal(d.fix, "set `LIBC=glibc`, or unset LIBC: the glibc prebuild is picked by itself");
});
