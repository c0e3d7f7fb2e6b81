import assert from "node:assert/strict";
import { constants } from "node:fs";
import { open, readFile, stat, symlink, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { EquipmentCacheWriter, LockError, LockReentryError, LockTimeoutError, lockPathFor, withFileLock } from "exlab-cache";
import { finished, runNode, startChild, waitForLine, workerScript } from "./helpers/children.js";
import { needs } from "./helpers/capabilities.js";
import { PYTHON as PY, filelockPeers, pyScript } from "./helpers/filelock.js";
import { waitForOwnFd } from "./helpers/proc.js";
import { tempDir } from "./helpers/tmp.js";


test("lockPathFor is exactly path + '.lock'", () => {
  assert.equal(lockPathFor("/a/b/equipment.json"), "/a/b/equipment.json.lock");
  assert.equal(lockPathFor("rel/x"), "rel/x.lock");
});

test("withFileLock returns fn's result, releases on throw, and never deletes the sidecar", async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, "sub", "f.json");
  assert.equal(await withFileLock(file, () => 42), 42);
  const { ino } = await stat(lockPathFor(file));
  await assert.rejects(
    withFileLock(file, () => {
      throw new Error("boom");
    }),
    /boom/,
  );
  // Released: a zero-timeout attempt gets it at once.
  assert.equal(await withFileLock(file, () => "again", { timeoutMs: 0 }), "again");
  assert.equal((await stat(lockPathFor(file))).ino, ino);
});

test("writers in one process queue in call order", async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, "f");
  const order: number[] = [];
  await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      withFileLock(file, async () => {
        order.push(i);
        await new Promise((r) => setImmediate(r));
      }),
    ),
  );
  assert.deepEqual(order, Array.from({ length: 20 }, (_, i) => i));
});

test("a nested withFileLock on the same path fails fast; another path is fine", async (t) => {
  const dir = await tempDir(t);
  const a = join(dir, "a");
  const b = join(dir, "b");
  const result = await withFileLock(a, async () => {
    await assert.rejects(
      withFileLock(a, () => 1),
      (err: unknown) => err instanceof LockReentryError && err.code === "lock_reentry" && err.lockPath === `${a}.lock`,
    );
    return withFileLock(b, () => "inner");
  });
  assert.equal(result, "inner");
  // After release, a call that merely inherited the async context is not re-entry.
  assert.equal(await withFileLock(a, () => "later"), "later");
});

test("a timeout names the lock path; an abort rejects with its reason; neither leaves the lock taken", async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, "f");
  const holder = startChild(t, process.execPath, [workerScript("lock-holder"), file]);
  const done = finished(holder);
  await waitForLine(holder, "locked");

  await assert.rejects(withFileLock(file, () => 1, { timeoutMs: 0 }), (err: unknown) => {
    assert.ok(err instanceof LockTimeoutError);
    assert.equal(err.lockPath, `${file}.lock`);
    assert.match(err.message, /f\.lock/);
    return true;
  });
  await assert.rejects(withFileLock(file, () => 1, { timeoutMs: 30 }), LockTimeoutError);
  const controller = new AbortController();
  const aborted = withFileLock(file, () => 1, { signal: controller.signal });
  setImmediate(() => controller.abort(new Error("operator cancelled")));
  await assert.rejects(aborted, /operator cancelled/);

  holder.stdin?.write("release\n");
  assert.equal((await done).code, 0);
  // The cancelled waiters did not keep the lock: it is free at once.
  assert.equal(await withFileLock(file, () => "free", { timeoutMs: 0 }), "free");
});

test("a holder killed with SIGKILL releases its lock", async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, "f");
  const holder = startChild(t, process.execPath, [workerScript("lock-holder"), file]);
  const done = finished(holder);
  await waitForLine(holder, "locked");
  await assert.rejects(withFileLock(file, () => 1, { timeoutMs: 0 }), LockTimeoutError);
  const waiting = withFileLock(file, () => "mine", { timeoutMs: 30_000 });
  holder.kill("SIGKILL");
  assert.equal((await done).signal, "SIGKILL");
  assert.equal(await waiting, "mine");
});

test("read-modify-write under the lock loses no update across processes", async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, "counter");
  const results = await Promise.all(Array.from({ length: 4 }, () => runNode(t, workerScript("counter"), [file, "50"])));
  for (const r of results) assert.equal(r.code, 0, r.stderr);
  assert.equal(await readFile(file, "utf8"), "200");
});

for (const peer of filelockPeers()) {
  test(`our writers and Python filelock ${peer.version} writers exclude each other (no lost update)`, needs(peer.needs), async (t) => {
    const dir = await tempDir(t);
    const file = join(dir, "counter");
    const runs = [
      runNode(t, workerScript("counter"), [file, "60"]),
      runNode(t, workerScript("counter"), [file, "60"]),
      finished(startChild(t, PY, [pyScript("counter.py"), file, "60"], peer.env)),
      finished(startChild(t, PY, [pyScript("counter.py"), file, "60"], peer.env)),
    ];
    for (const r of await Promise.all(runs)) assert.equal(r.code, 0, r.stderr);
    assert.equal(await readFile(file, "utf8"), "240");
  });

  // 3.29 unlinks the sidecar and then unlocks on release: our waiter is
  // granted a deleted inode, and only the inode re-check makes it lock the
  // path's new sidecar, which is what the Python probe then finds busy.
  test(`a lock held by Python filelock ${peer.version} blocks us until released, and ours then blocks it (inode re-check)`, needs(peer.needs), async (t) => {
    const dir = await tempDir(t);
    const file = join(dir, "equipment.json");
    const py = startChild(t, PY, [pyScript("hold_lock.py"), file], peer.env);
    const pyDone = finished(py);
    await waitForLine(py, "locked");
    await assert.rejects(withFileLock(file, () => 1, { timeoutMs: 0 }), LockTimeoutError);
    const waiting = withFileLock(file, async () => {
      const probe = await finished(startChild(t, PY, [pyScript("try_lock.py"), file], peer.env));
      return probe.stdout.trim();
    });
    await waitForOwnFd((target) => target === lockPathFor(file));
    py.stdin?.write("release\n");
    assert.equal((await pyDone).code, 0);
    assert.equal(await waiting, "busy");
    const after = await finished(startChild(t, PY, [pyScript("try_lock.py"), file], peer.env));
    assert.equal(after.stdout.trim(), "acquired");
    // The release behaviour this test meets: 3.29 removes the sidecar, the others keep it.
    const kept = await stat(lockPathFor(file)).then(() => true, () => false);
    assert.equal(kept, peer.protocol !== "3.29");
  });
}

test("a sidecar deleted by a peer while held does not let two holders in", async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, "f");
  const inside = join(dir, "inside");
  // A holds the lock on the original sidecar inode.
  const a = startChild(t, process.execPath, [workerScript("lock-holder"), file]);
  const aDone = finished(a);
  await waitForLine(a, "locked");
  // We start waiting on that same inode.
  const events: string[] = [];
  const ours = withFileLock(file, async () => {
    // Exclusive create: fails if anyone else is inside the critical section.
    const fh = await open(inside, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY);
    events.push("ours-in");
    await fh.close();
    await unlink(inside);
  });
  // Our waiter has the original sidecar inode open before anyone deletes it.
  const lock = lockPathFor(file);
  await waitForOwnFd((target) => target === lock);
  // A peer deletes the sidecar; B then creates a new one and locks it.
  await unlink(lockPathFor(file));
  const b = startChild(t, process.execPath, [workerScript("lock-holder"), file]);
  const bDone = finished(b);
  await waitForLine(b, "locked");
  await writeFile(inside, "B");
  events.push("b-in");
  // A releases: our waiter gets the old inode, sees it is stale, and must now
  // wait for B instead of entering beside it.
  a.stdin?.write("release\n");
  await aDone;
  // Our waiter was granted the deleted inode (now shown as "... (deleted)"),
  // saw it stale, and has opened the new sidecar: it waits behind B instead
  // of entering beside it.
  await waitForOwnFd((target) => target === lock);
  assert.deepEqual(events, ["b-in"]);
  await unlink(inside);
  events.push("b-out");
  b.stdin?.write("release\n");
  await bDone;
  await ours;
  assert.deepEqual(events, ["b-in", "b-out", "ours-in"]);
});

test("a sidecar that is a symlink is refused, and its target is untouched", async (t) => {
  const dir = await tempDir(t);
  const outside = join(dir, "outside.txt");
  await writeFile(outside, "precious");
  const file = join(dir, "f");
  await symlink(outside, lockPathFor(file));
  await assert.rejects(
    withFileLock(file, () => 1),
    (err: unknown) => err instanceof LockError && err.code === "lock_failed" && /symbolic link/.test(err.message),
  );
  assert.equal(await readFile(outside, "utf8"), "precious");
});

test("many lock waiters in one process do not stall its thread pool (UV_THREADPOOL_SIZE=1)", async (t) => {
  const dir = await tempDir(t);
  const files = Array.from({ length: 8 }, (_, i) => join(dir, `f${i}`));
  const holder = startChild(t, process.execPath, [workerScript("lock-holder"), ...files]);
  const holderDone = finished(holder);
  await waitForLine(holder, "locked");
  const probe = startChild(t, process.execPath, [workerScript("pool-probe"), ...files], { UV_THREADPOOL_SIZE: "1" });
  const probeDone = finished(probe);
  // fs work completes while all eight waits are still pending: the holder
  // has not released anything yet.
  await waitForLine(probe, "fs-ok");
  holder.stdin?.write("release\n");
  assert.equal((await holderDone).code, 0);
  const result = await probeDone;
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /fs-ok\nlocks-ok\n/);
});

test("the writer's own nested use of a locked file fails fast instead of hanging", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "equipment.json");
  await withFileLock(path, async () => {
    await assert.rejects(
      new EquipmentCacheWriter().writeEquipment(path, {
        id: "A",
        label: "a",
        configured_local_root: "/r",
        configured_nas_root: "/n",
      }),
      LockReentryError,
    );
  });
});

test("a nested lock of the same sidecar under another spelling of its path fails fast", async (t) => {
  const dir = await tempDir(t);
  const { mkdir: mkdirp } = await import("node:fs/promises");
  await mkdirp(join(dir, "real"));
  await symlink(join(dir, "real"), join(dir, "alias"));
  await withFileLock(join(dir, "real", "f"), async () => {
    await assert.rejects(withFileLock(join(dir, "alias", "f"), () => 1, { timeoutMs: 60_000 }), LockReentryError);
  });
});
