import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { chmod, cp, mkdir, readdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { createLab, runAs } from "../helpers/accounts.js";
import { BIN, PACKAGE_ROOT, cli, runNodeIn, stdoutJson, type CliRun } from "../helpers/cli.js";
import { needs } from "../helpers/capabilities.js";
import { bindfsMount } from "../helpers/fuse.js";
import { mountTmpfs, remountReadOnly } from "../helpers/mount.js";
import { tempDir } from "../helpers/tmp.js";

interface Problem {
  code: string;
  message: string;
  fix: string;
}
interface Doctor {
  ok: boolean;
  platform: { os: string; arch: string };
  runtime: { name: string; version: string };
  native: { ok: boolean; path: string | null; source: string | null; wait_method: string | null };
  lock: { ok: boolean; excluded: boolean | null; acquired_after: boolean | null } | null;
  root: { path: string; filesystem: { type: string | null; kind: string; flock_safe: boolean }; writable: boolean } | null;
  problems: Problem[];
}

const doctor = (run: CliRun): Doctor => stdoutJson(run) as Doctor;
const REBUILD = "`npm rebuild exlab-cache`";

test("doctor on a working machine: platform, runtime, the binary and where it came from, a lock self-test between two processes, the root's filesystem; exit 0", async (t) => {
  const root = await tempDir(t);
  const run = await cli(t, ["doctor", "--root", root, "--json"]);
  assert.equal(run.code, 0, run.stdout);
  const d = doctor(run);
  assert.deepEqual([d.ok, d.problems], [true, []]);
  assert.deepEqual([d.platform.os, d.platform.arch, d.runtime.name, d.runtime.version], [process.platform, process.arch, "node", process.version]);
  // The binary node-gyp-build picks: a local build when there is one, else the shipped prebuild.
  const built = existsSync(join(PACKAGE_ROOT, "build", "Release"));
  const expected = built ? join(PACKAGE_ROOT, "build", "Release") : join(PACKAGE_ROOT, "prebuilds", `${process.platform}-${process.arch}`, "node.napi.glibc.node");
  assert.ok(d.native.path?.startsWith(expected), `${d.native.path} is not under ${expected}`);
  assert.deepEqual([d.native.ok, d.native.source], [true, built ? "local build" : "prebuilt"]);
  assert.deepEqual(d.lock, { ok: true, file: d.lock?.["file" as keyof typeof d.lock], excluded: true, acquired_after: true });
  assert.deepEqual([d.root?.path, d.root?.filesystem.kind, d.root?.filesystem.flock_safe, d.root?.writable], [root, "local", true, true]);
  // The scratch folder is gone: doctor leaves nothing in a lab root.
  assert.deepEqual(await readdir(root), []);

  const human = await cli(t, ["doctor", "--root", root]);
  assert.equal(human.code, 0);
  assert.match(human.stdout, /^ {2}lock +ok: a second process was excluded while this one held the lock, and got it once released$/m);
  assert.match(human.stdout, /^ {2}filesystem \S+ \(0x[0-9a-f]+\): flock is safe here$/m);
  assert.ok(human.stdout.endsWith(`ok: this machine can write cache files under ${root}\n`), human.stdout);
});

test("doctor --root a folder this account cannot write (a real non-root account): not_writable with the fix, exit 1", needs(["accounts"]), async (t) => {
  const lab = createLab(t);
  const root = await tempDir(t);
  await chmod(root, 0o755);
  const run = await runAs(t, lab.stranger, "022", process.execPath, [BIN, "doctor", "--root", root, "--json"]);
  assert.equal(run.code, 1, run.stderr);
  const d = doctor({ code: run.code, stdout: run.stdout, stderr: run.stderr });
  assert.equal(d.ok, false);
  assert.deepEqual([d.root?.writable, d.root?.filesystem.flock_safe], [false, true]);
  assert.deepEqual(d.problems.map((p) => p.code), ["not_writable"]);
  assert.match(d.problems[0]?.message ?? "", new RegExp(`^Cannot write in ${root}: EACCES`));
  assert.match(d.problems[0]?.fix ?? "", /write access/);
  // The lock self-test still ran, in the temp folder.
  assert.deepEqual([d.lock?.excluded, d.lock?.acquired_after], [true, true]);
});

test("doctor --root on a read-only mount: not_writable (EROFS) and the remount fix, exit 1", needs(["root", "mount"]), async (t) => {
  const root = await mountTmpfs(t, 256);
  remountReadOnly(root);
  const run = await cli(t, ["doctor", "--root", root, "--json"]);
  assert.equal(run.code, 1);
  const d = doctor(run);
  assert.deepEqual(d.problems.map((p) => p.code), ["not_writable"]);
  assert.match(d.problems[0]?.message ?? "", /EROFS/);
  assert.match(d.problems[0]?.fix ?? "", /read-only/);
  assert.deepEqual([d.root?.filesystem.kind, d.root?.filesystem.type], ["local", "tmpfs (0x1021994)"]);
});

test("doctor --root on FUSE: flock is not safe there, exit 1, though it can write", needs(["root", "fuse"]), async (t) => {
  const { view } = await bindfsMount(t);
  const run = await cli(t, ["doctor", "--root", view, "--json"]);
  assert.equal(run.code, 1);
  const d = doctor(run);
  assert.deepEqual([d.root?.filesystem.kind, d.root?.filesystem.flock_safe, d.root?.writable], ["fuse", false, true]);
  assert.deepEqual(d.problems.map((p) => p.code), ["unsafe_filesystem"]);
  const human = await cli(t, ["doctor", "--root", view]);
  assert.match(human.stdout, /flock is NOT safe here/);
  assert.match(human.stdout, /^problem: .* \[unsafe_filesystem\]$/m);
});

/** The package as installed without its prebuilt binaries and never built: dist, package.json and the dependencies. */
async function packageWithoutBinary(t: TestContext): Promise<string> {
  const dir = join(await tempDir(t), "exlab-cache");
  await mkdir(dir);
  await cp(join(PACKAGE_ROOT, "dist"), join(dir, "dist"), { recursive: true });
  await cp(join(PACKAGE_ROOT, "package.json"), join(dir, "package.json"));
  await symlink(join(PACKAGE_ROOT, "node_modules"), join(dir, "node_modules"));
  return dir;
}

test("doctor with no binary for this machine names the cause and the one fix, exit 1; writes fail with the same fix", async (t) => {
  const pkg = await packageWithoutBinary(t);
  const bin = join(pkg, "dist", "cli", "bin.js");
  // No prebuild and no build/ folder: the install script never ran (a
  // compiler, make and Python are on PATH here, so they are not the cause).
  const env = { npm_config_user_agent: "npm/11.0.0 node/v20.0.0 linux x64", npm_config_ignore_scripts: "" };
  const run = await runNodeIn(t, bin, ["doctor", "--json"], { env });
  assert.equal(run.code, 1, run.stderr);
  const d = doctor(run);
  assert.deepEqual([d.native.ok, d.native.path, d.lock], [false, null, null]);
  assert.deepEqual(d.problems.map((p) => p.code), ["native_missing"]);
  const [p] = d.problems;
  assert.match(p?.message ?? "", new RegExp(`^No native binary for ${process.platform}-${process.arch}: no prebuilt binary ships for ${process.platform}-${process.arch}, and the package's install script, which compiles one, never ran \\(there is no build/ folder\\) `));
  assert.match(p?.message ?? "", /No native build was found for platform=linux arch=x64/);
  assert.match(p?.fix ?? "", /^approve its install script \(`npm approve-scripts exlab-cache`.*\) and run it: `npm rebuild exlab-cache --ignore-scripts=false`$/);
  const human = await runNodeIn(t, bin, ["doctor"], { env });
  assert.match(human.stdout, /^ {2}native +FAILED$/m);
  assert.match(human.stdout, /^ {2}fix: approve its install script /m);

  // What a write says on that machine.
  const root = await tempDir(t);
  await mkdir(join(root, "CONFOCAL_01"));
  const mark = await runNodeIn(t, bin, ["mark-runs", "--root", root, "--equipment", "CONFOCAL_01", "--project", "P"], { env });
  assert.equal(mark.code, 2);
  assert.match(mark.stderr, /^error: .*never ran \(there is no build\/ folder\)\. Fix: approve its install script .*`exlab-cache doctor` checks the result \[lock_failed\]\n$/);
});

test("doctor with a binary that cannot be loaded names the file and the loader's reason, exit 1", async (t) => {
  // node-gyp-build's own override: EXLAB_CACHE_PREBUILD=<dir> loads <dir>/prebuilds/<platform>-<arch>/.
  const dir = await tempDir(t);
  const bad = join(dir, "prebuilds", `${process.platform}-${process.arch}`, "node.napi.glibc.node");
  await mkdir(join(bad, ".."), { recursive: true });
  await writeFile(bad, "not a shared object\n");
  const run = await cli(t, ["doctor", "--json"], { env: { EXLAB_CACHE_PREBUILD: dir } });
  assert.equal(run.code, 1);
  const d = doctor(run);
  assert.deepEqual([d.native.ok, d.native.path, d.native.source, d.lock], [false, bad, "EXLAB_CACHE_PREBUILD", null]);
  assert.deepEqual(d.problems.map((p) => p.code), ["native_load_failed"]);
  assert.match(d.problems[0]?.message ?? "", new RegExp(`^The native binary ${bad} cannot be loaded: .*(invalid ELF header|file too short)`));
  assert.ok(d.problems[0]?.fix.includes(REBUILD));
});

test("doctor --root that does not exist is a usage-level error: one line, exit 2", async (t) => {
  const root = join(await tempDir(t), "nope");
  const run = await cli(t, ["doctor", "--root", root]);
  assert.deepEqual([run.code, run.stdout], [2, ""]);
  assert.equal(run.stderr, `error: ${root}: no such file or directory [not_found]\n`);
});
