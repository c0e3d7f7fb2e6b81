/**
 * The musl lane: npm's musl build of Bun, run on this glibc machine under
 * Debian's musl loader (see muslBun in _lanes.ts for the C++ runtime it is
 * given). No `LIBC` and no /etc/alpine-release, as on Void or in a
 * distroless container: the musl prebuild must be picked from the runtime
 * itself. The core files must pass there as the host Node passes them; and
 * a wrong binary (`LIBC=glibc`) must fail naming `LIBC=musl` as the fix.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { needs } from "../helpers/capabilities.js";
import { tempDir } from "../helpers/tmp.js";
import { CORE, REPO_ROOT, assertCounts, bunCounts, hostBaseline, muslBun, runMerged, testFiles, type Counts } from "./_lanes.js";

const BUN_VERSION = "1.4.5";
const BIN = join(REPO_ROOT, "dist", "cli", "bin.js");

/** The lane's environment: no LIBC, the prebuilds only, and the folder with Bun's C++ runtime. */
function laneEnv(libDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PREBUILDS_ONLY: "1", NO_COLOR: "1", LD_LIBRARY_PATH: libDir, ...extra };
  // Set by the outer `node --test`: the inner runner would speak its protocol.
  delete env.NODE_TEST_CONTEXT;
  if (extra.LIBC === undefined) delete env.LIBC;
  return env;
}

const sum = (a: Counts, b: Counts): Counts => ({ pass: a.pass + b.pass, fail: a.fail + b.fail, skipped: a.skipped + b.skipped, suites: (a.suites ?? 0) + (b.suites ?? 0) });

function lane(): { bun: string; libDir: string } {
  // What node-gyp-build would read instead: neither may be there.
  assert.equal(existsSync("/etc/alpine-release"), false, "/etc/alpine-release exists: this lane would not show the runtime's own choice");
  return muslBun(BUN_VERSION);
}

test(`the musl Bun ${BUN_VERSION} runs on musl and picks the musl prebuild by itself, without LIBC`, needs(["musl"]), async (t: TestContext) => {
  const { bun, libDir } = lane();
  const dir = await tempDir(t);
  const file = join(dir, "equipment.json");
  const script = [
    `const nat = await import(${JSON.stringify(join(REPO_ROOT, "dist", "fs", "_native.js"))});`,
    `const lib = await import(${JSON.stringify(join(REPO_ROOT, "dist", "index.js"))});`,
    `const file = ${JSON.stringify(file)};`,
    `await lib.withFileLock(file, () => lib.atomicWriteFile(file, '{"written":true}'));`,
    `const maps = (await import("node:fs")).readFileSync("/proc/self/maps", "utf8");`,
    `console.log(JSON.stringify({ libc: nat.runtimeLibc(), path: nat.nativeAddonPath(), glibcMapped: /libc\\.so\\.6/.test(maps), read: (await lib.readCacheFile(file)).toString("utf8") }));`,
  ].join("\n");
  const r = await runMerged(t, bun, ["-e", script], laneEnv(libDir));
  assert.equal(r.code, 0, r.out);
  assert.deepEqual(JSON.parse(r.out.trim().split("\n").pop() ?? "null"), {
    libc: "musl",
    path: join(REPO_ROOT, "prebuilds", "linux-x64", "node.napi.musl.node"),
    glibcMapped: false,
    read: '{"written":true}',
  });
});

test(`the core test files, and cli/hardening, under the musl Bun ${BUN_VERSION} (bun test), without LIBC`, needs(["musl"]), async (t: TestContext) => {
  const { bun, libDir } = lane();
  const hostEnv = laneEnv("");
  delete hostEnv.LD_LIBRARY_PATH;
  const expected = sum(await hostBaseline(t, testFiles(CORE), hostEnv), await hostBaseline(t, testFiles(["cli/hardening"]), hostEnv));
  const r = await runMerged(t, bun, ["test", "--timeout", "120000", ...testFiles([...CORE, "cli/hardening"]).map((f) => `./${f}`)], laneEnv(libDir));
  assert.equal(r.code, 0, r.out);
  assertCounts(bunCounts(r.out), expected, r.out);
});

test("on musl with LIBC=glibc, the glibc prebuild fails to load, and doctor and a write name LIBC=musl as the fix", needs(["musl"]), async (t: TestContext) => {
  const { bun, libDir } = lane();
  const env = laneEnv(libDir, { LIBC: "glibc" });
  const doctor = await runMerged(t, bun, [BIN, "doctor", "--json"], env);
  assert.equal(doctor.code, 1, doctor.out);
  const d = JSON.parse(doctor.out) as { platform: { libc: string | null }; native: { ok: boolean; path: string }; problems: { code: string; message: string; fix: string }[] };
  assert.deepEqual([d.platform.libc, d.native.ok, d.native.path], ["musl", false, join(REPO_ROOT, "prebuilds", "linux-x64", "node.napi.glibc.node")]);
  assert.deepEqual(d.problems.map((p) => p.code), ["native_load_failed"]);
  assert.match(d.problems[0]?.message ?? "", /this runtime uses musl, but the glibc prebuild was loaded \(LIBC=glibc is set\)$/);
  assert.equal(d.problems[0]?.fix, "set `LIBC=musl`, or unset LIBC: the musl prebuild is picked by itself");

  const root = await tempDir(t);
  await mkdir(join(root, "CONFOCAL_01"));
  const mark = await runMerged(t, bun, [BIN, "mark-runs", "--root", root, "--equipment", "CONFOCAL_01", "--project", "P"], env);
  assert.equal(mark.code, 2, mark.out);
  assert.match(mark.out, /this runtime uses musl, but the glibc prebuild was loaded \(LIBC=glibc is set\)\. Fix: set `LIBC=musl`, or unset LIBC/);
  assert.match(mark.out, /\[lock_failed\]\n$/);
});
