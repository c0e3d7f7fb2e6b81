/**
 * The two-step write (lock-and-read, then commit-and-unlock) when the lock
 * is contended: the waiter that wins the lock does the inode re-check, the
 * stale-temp sweep and the read itself, so what the writer decides on is the
 * file as the previous holder left it; the commit gives the new file the
 * mode and owner that read found. Run on both backends: the native one (the
 * default) and node:fs driven call by call (an injected FileSystem).
 */
import assert from "node:assert/strict";
import { chmod, chown, readFile, readdir, stat, unlink, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { test } from "node:test";
import { EquipmentCacheWriter, equipmentJsonPath, testRunsMarkerPath, type CacheWarning } from "exlab-cache";
import { finished, startChild, waitForLine, workerScript } from "./helpers/children.js";
import { callByCallFs } from "./helpers/nodefs.js";
import { waitForThread } from "./helpers/proc.js";
import { FakeClock, equipmentPayload, tempDir } from "./helpers/tmp.js";

const BACKENDS = [
  ["native", {}],
  ["node:fs", { fs: callByCallFs }],
] as const;

/** A peer process holding the lock of `path` until told to let go. */
async function holdLock(t: Parameters<typeof tempDir>[0], path: string): Promise<{ release: () => Promise<void> }> {
  const holder = startChild(t, process.execPath, [workerScript("lock-holder"), path]);
  const done = finished(holder);
  await waitForLine(holder, "locked");
  return {
    release: async () => {
      holder.stdin?.write("release\n");
      assert.equal((await done).code, 0);
    },
  };
}

for (const [name, options] of BACKENDS) {
  test(`${name}: a rewrite that waits for the lock reads, sweeps and decides on the file as the holder left it`, async (t) => {
    const root = await tempDir(t);
    const path = equipmentJsonPath(root, "CONFOCAL_01");
    const clock = new FakeClock();
    const warnings: CacheWarning[] = [];
    const writer = new EquipmentCacheWriter({ ...options, clock: clock.now, onWarning: (w) => warnings.push(w) });
    await writer.writeEquipment(path, equipmentPayload());
    const peer = await holdLock(t, path);
    clock.advance(60);
    const pending = writer.writeEquipment(path, equipmentPayload({ label: "after the wait" }));
    // Our write is blocked in the waiter thread now; change what it will read.
    await waitForThread("exlab-flock");
    const heldBack = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
    await writeFile(path, JSON.stringify({ ...heldBack, first_seen_at: "2020-01-01T00:00:00Z", extra_from_peer: 7 }));
    const stale = `${path}.PeerTemp01.tmp`;
    await writeFile(stale, "a temp file the holder left");
    await peer.release();
    const written = await pending;
    assert.equal(written.first_seen_at, "2020-01-01T00:00:00Z", "the file was read after the grant, not before the wait");
    assert.equal(written.last_modified_at, "2026-04-17T14:01:00Z");
    const onDisk = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
    assert.equal(onDisk["extra_from_peer"], 7, "a field the peer added is kept");
    assert.equal(onDisk["label"], "after the wait");
    assert.deepEqual(
      warnings.map((w) => [w.code, w.path]),
      [["stale_temp_removed", stale]],
    );
    assert.deepEqual((await readdir(dirname(path))).sort(), ["equipment.json", "equipment.json.lock"]);
  });

  test(`${name}: a first marker that waits for the lock finds the marker the holder wrote, and writes nothing`, async (t) => {
    const root = await tempDir(t);
    const path = testRunsMarkerPath(root, "CONFOCAL_01", "PROJ-0042");
    const writer = new EquipmentCacheWriter(options);
    const peer = await holdLock(t, path);
    const pending = writer.writeTestRunsMarker(path, { project: "PROJ-0042", equipment: "CONFOCAL_01" });
    await waitForThread("exlab-flock");
    await writeFile(path, "written by the holder");
    await peer.release();
    assert.equal(await pending, false);
    assert.equal(await readFile(path, "utf8"), "written by the holder");
    // The lock was given back: once the marker is gone, the next call writes it.
    await unlink(path);
    assert.equal(await writer.writeTestRunsMarker(path, { project: "PROJ-0042", equipment: "CONFOCAL_01" }), true);
  });
}

for (const [name, options] of BACKENDS) {
  test(`${name}: a locked rewrite keeps the mode (and, as root, the owner and group) the read under the lock found`, async (t) => {
    const root = await tempDir(t);
    const path = equipmentJsonPath(root, "CONFOCAL_01");
    const writer = new EquipmentCacheWriter({ ...options, clock: new FakeClock().now });
    await writer.writeEquipment(path, equipmentPayload());
    await chmod(path, 0o640);
    const asRoot = process.geteuid?.() === 0;
    if (asRoot) await chown(path, 65534, 65534);
    await writer.writeEquipment(path, equipmentPayload({ label: "rewritten" }));
    const st = await stat(path);
    assert.equal(st.mode & 0o7777, 0o640);
    if (asRoot) assert.deepEqual([st.uid, st.gid], [65534, 65534]);
    assert.equal((await writer.readEquipment(path)).label, "rewritten");
  });
}
