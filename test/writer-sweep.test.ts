/**
 * Under the lock, a write sweeps stale temp files and looks at the current
 * file before it writes. Either step failing must stop the write before
 * anything changes, and release the lock; a marker call that finds the
 * marker still cleans up after a writer that died.
 */
import assert from "node:assert/strict";
import { readFile, readdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { test } from "node:test";
import { EquipmentCacheWriter, equipmentJsonPath, testRunsMarkerPath, type CacheWarning, type FileSystem } from "exlab-cache";
import { callByCallFs } from "./helpers/nodefs.js";
import { FakeClock, equipmentPayload, tempDir } from "./helpers/tmp.js";


function eio(syscall: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`EIO: i/o error, ${syscall}`), { code: "EIO", syscall });
}

test("one write removes a stale temp file and keeps first_seen_at from the current file", async (t) => {
  const root = await tempDir(t);
  const clock = new FakeClock("2025-09-12T09:14:00Z");
  const warnings: CacheWarning[] = [];
  const writer = new EquipmentCacheWriter({ clock: clock.now, onWarning: (w) => warnings.push(w) });
  const path = equipmentJsonPath(root, "CONFOCAL_01");
  await writer.writeEquipment(path, equipmentPayload());
  const stale = `${path}.AbC123.tmp`;
  await writeFile(stale, "half a record");
  clock.advance(60);
  const written = await writer.writeEquipment(path, equipmentPayload());
  assert.equal(written.first_seen_at, "2025-09-12T09:14:00Z");
  assert.equal(written.last_modified_at, "2025-09-12T09:15:00Z");
  assert.deepEqual(
    warnings.map((w) => [w.code, w.path]),
    [["stale_temp_removed", stale]],
  );
  assert.deepEqual((await readdir(dirname(path))).sort(), ["equipment.json", "equipment.json.lock"]);
});

for (const failing of ["readdir", "open"] as const) {
  test(`a failing ${failing === "readdir" ? "sweep" : "read"} stops the write before anything changes and frees the lock`, async (t) => {
    const root = await tempDir(t);
    const path = equipmentJsonPath(root, "CONFOCAL_01");
    await new EquipmentCacheWriter().writeEquipment(path, equipmentPayload());
    const before = await readFile(path, "utf8");
    const broken: FileSystem = {
      ...callByCallFs,
      readdir: ((p: string) => (failing === "readdir" ? Promise.reject(eio("scandir")) : callByCallFs.readdir(p))) as FileSystem["readdir"],
      open: ((p: string, ...rest: never[]) => {
        if (failing === "open" && p === path) return Promise.reject(eio("open"));
        return (callByCallFs.open as (...a: unknown[]) => unknown)(p, ...rest);
      }) as FileSystem["open"],
    };
    await assert.rejects(new EquipmentCacheWriter({ fs: broken }).writeEquipment(path, equipmentPayload({ label: "Renamed" })), { code: "write_failed", osCode: "EIO" });
    assert.equal(await readFile(path, "utf8"), before);
    assert.deepEqual((await readdir(dirname(path))).sort(), ["equipment.json", "equipment.json.lock"]);
    const after = await new EquipmentCacheWriter({ lockTimeoutMs: 0 }).writeEquipment(path, equipmentPayload({ label: "Renamed" }));
    assert.equal(after.label, "Renamed");
  });
}

test("a marker call that finds the marker still sweeps stale temps and changes no byte", async (t) => {
  const root = await tempDir(t);
  const warnings: CacheWarning[] = [];
  const writer = new EquipmentCacheWriter({ onWarning: (w) => warnings.push(w) });
  const path = testRunsMarkerPath(root, "CONFOCAL_01", "PROJ-0042");
  assert.equal(await writer.writeTestRunsMarker(path, { project: "PROJ-0042", equipment: "CONFOCAL_01" }), true);
  const before = await readFile(path, "utf8");
  const stale = `${path}.x_Y-9.tmp`;
  await writeFile(stale, "{");
  assert.equal(await writer.writeTestRunsMarker(path, { project: "PROJ-0042", equipment: "CONFOCAL_01", created_at: "2020-01-01T00:00:00Z" }), false);
  assert.equal(await readFile(path, "utf8"), before);
  assert.deepEqual(
    warnings.map((w) => [w.code, w.path]),
    [["stale_temp_removed", stale]],
  );
  assert.deepEqual((await readdir(dirname(path))).sort(), ["test_runs.json", "test_runs.json.lock"]);
});

test("a marker is not created when looking for it fails, and the lock is freed", async (t) => {
  const root = await tempDir(t);
  const path = testRunsMarkerPath(root, "CONFOCAL_01", "PROJ-0042");
  const broken: FileSystem = {
    ...callByCallFs,
    lstat: ((p: string) => (p === path ? Promise.reject(eio("lstat")) : callByCallFs.lstat(p))) as FileSystem["lstat"],
  };
  const payload = { project: "PROJ-0042", equipment: "CONFOCAL_01" };
  await assert.rejects(new EquipmentCacheWriter({ fs: broken }).writeTestRunsMarker(path, payload), { code: "write_failed", osCode: "EIO" });
  await assert.rejects(readFile(path), { code: "ENOENT" });
  assert.equal(await new EquipmentCacheWriter({ lockTimeoutMs: 0 }).writeTestRunsMarker(path, payload), true);
});
