import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cp, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { finished, preloadCc, startChild, waitForLine, workerScript } from "./helpers/children.js";
import { tempDir } from "./helpers/tmp.js";
import { needs } from "./helpers/capabilities.js";

test("a worker terminated while its lock wait is blocked does not bring the process down", async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, "f");
  const holder = startChild(t, process.execPath, [workerScript("lock-holder"), file]);
  const held = finished(holder);
  await waitForLine(holder, "locked");
  const probe = startChild(t, process.execPath, [workerScript("terminate-waiting-worker"), file]);
  const probeDone = finished(probe);
  await waitForLine(probe, "terminated");
  // Releasing now would wake a waiter of the torn-down worker, had teardown
  // not cancelled and joined it.
  holder.stdin?.write("release\n");
  assert.equal((await held).code, 0);
  probe.stdin?.end();
  const result = await probeDone;
  assert.equal(result.signal, null, result.stderr);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /terminated\nalive\n/);
});

test("the addon in use reports how it waits, and it is the one this run expects", async (t) => {
  // EXLAB_EXPECT_WAIT_METHOD is set by the CI lane that rebuilds the addon
  // without real-time signals; a plain Linux build blocks in flock and is
  // woken by a signal.
  const expected = process.env["EXLAB_EXPECT_WAIT_METHOD"] ?? "signal";
  const result = await finished(startChild(t, process.execPath, [workerScript("wait-method")]));
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, `${expected}\n`);
});

test("with no real-time signal free, waits use the polling thread and timeouts still fire", needs(["cc"]), async (t) => {
  const dir = await tempDir(t);
  // A preloaded library that takes every real-time signal before we can.
  const src = join(dir, "hog.c");
  const lib = join(dir, "hog.so");
  await writeFile(
    src,
    "#include <signal.h>\n#include <string.h>\nstatic void h(int s){(void)s;}\n" +
      "__attribute__((constructor)) static void hog(void){ for (int s = SIGRTMIN; s <= SIGRTMAX; s++) {" +
      " struct sigaction sa; memset(&sa, 0, sizeof sa); sa.sa_handler = h; sigaction(s, &sa, 0); } }\n",
  );
  execFileSync(preloadCc(), ["-shared", "-fPIC", "-o", lib, src]);
  const file = join(dir, "f");
  const holder = startChild(t, process.execPath, [workerScript("lock-holder"), file]);
  const held = finished(holder);
  await waitForLine(holder, "locked");
  const method = await finished(startChild(t, process.execPath, [workerScript("wait-method")], { LD_PRELOAD: lib }));
  assert.equal(method.stdout, "poll-thread\n", method.stderr);
  // The holder keeps the lock until after the probe is done: the probe's
  // timeout must fire on its own.
  const probe = await finished(startChild(t, process.execPath, [workerScript("timeout-probe"), file, "150"], { LD_PRELOAD: lib }));
  assert.equal(probe.code, 0, probe.stderr);
  assert.equal(probe.stdout.trim(), "lock_timeout");
  holder.stdin?.write("release\n");
  assert.equal((await held).code, 0);
});

test("without the native addon, reads still work and a write says the lock backend is missing", async (t) => {
  const dir = await tempDir(t);
  // The compiled library alone, as if installed without its build step.
  const pkg = join(dir, "pkg");
  await cp(fileURLToPath(new URL("../../dist", import.meta.url)), join(pkg, "dist"), { recursive: true });
  await writeFile(join(pkg, "package.json"), JSON.stringify({ type: "module" }));
  const script = join(dir, "probe.mjs");
  await writeFile(
    script,
    [
      `import { EquipmentCacheWriter, atomicWriteFile, testRunsMarkerPath } from ${JSON.stringify(join(pkg, "dist", "index.js"))};`,
      `const root = ${JSON.stringify(join(dir, "lab"))};`,
      `await atomicWriteFile(root + "/plain.json", "{}");`,
      `const w = new EquipmentCacheWriter();`,
      `try { await w.writeTestRunsMarker(testRunsMarkerPath(root, "A", "P"), { project: "P", equipment: "A" }); console.log("written"); }`,
      `catch (e) { console.log(e.code, /lock backend/.test(e.message)); }`,
    ].join("\n"),
  );
  const result = await finished(startChild(t, process.execPath, [script]));
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout.trim(), "lock_failed true");
  assert.equal(await readFile(join(dir, "lab", "plain.json"), "utf8"), "{}");
});
