import assert from "node:assert/strict";
import { lstat, mkdir, readFile, readdir, stat, symlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { test } from "node:test";
import {
  EquipmentCacheWriter,
  FileTooLargeError,
  MAX_CACHE_FILE_BYTES,
  NotRegularFileError,
  SchemaMajorMismatchError,
  ValidationError,
  equipmentJsonPath,
  type CacheWarning,
} from "exlab-cache";
import { finished, startChild, waitForLine, workerScript } from "./helpers/children.js";
import { waitForOwnFd } from "./helpers/proc.js";
import { FakeClock, equipmentPayload, tempDir } from "./helpers/tmp.js";

test("first write stamps both timestamps with the same instant and writes the exact bytes", async (t) => {
  const root = await tempDir(t);
  const clock = new FakeClock("2025-09-12T09:14:00Z");
  const writer = new EquipmentCacheWriter({ clock: clock.now });
  const path = equipmentJsonPath(root, "CONFOCAL_01");
  const written = await writer.writeEquipment(path, equipmentPayload());
  assert.equal(written.first_seen_at, "2025-09-12T09:14:00Z");
  assert.equal(written.last_modified_at, "2025-09-12T09:14:00Z");
  assert.equal(
    await readFile(path, "utf8"),
    '{"schema_version":"1.0","id":"CONFOCAL_01","label":"Confocal Microscope 1","configured_local_root":"/data/lab","configured_nas_root":"//nas01/lab","first_seen_at":"2025-09-12T09:14:00Z","last_modified_at":"2025-09-12T09:14:00Z"}',
  );
  assert.deepEqual(await writer.readEquipment(path), written);
});

test("a rewrite keeps first_seen_at, stamps last_modified_at and ignores payload timestamps", async (t) => {
  const root = await tempDir(t);
  const clock = new FakeClock("2025-09-12T09:14:00Z");
  const writer = new EquipmentCacheWriter({ clock: clock.now });
  const path = equipmentJsonPath(root, "CONFOCAL_01");
  await writer.writeEquipment(path, equipmentPayload());
  clock.advance(3600);
  const second = await writer.writeEquipment(
    path,
    equipmentPayload({ label: "Renamed", first_seen_at: "2000-01-01T00:00:00Z", last_modified_at: "2000-01-01T00:00:00Z" }),
  );
  assert.equal(second.first_seen_at, "2025-09-12T09:14:00Z");
  assert.equal(second.last_modified_at, "2025-09-12T10:14:00Z");
  assert.equal((await writer.readEquipment(path)).label, "Renamed");
});

test("a bad payload lists every bad field and touches nothing", async (t) => {
  const root = await tempDir(t);
  const writer = new EquipmentCacheWriter();
  const path = equipmentJsonPath(root, "CONFOCAL_01");
  await assert.rejects(
    writer.writeEquipment(path, { id: "confocal 01", label: "", configured_local_root: 5, lable: "x" } as never),
    (err: unknown) => {
      assert.ok(err instanceof ValidationError);
      assert.equal(err.code, "validation_failed");
      assert.deepEqual(
        err.issues.map((i) => i.path),
        ["id", "label", "configured_local_root", "configured_nas_root", "lable"],
      );
      assert.match(err.message, /Expected `id` to be string matching \^\[A-Z\]\[A-Z0-9_\]\*\$ \(max 32\), got `confocal 01`/);
      return true;
    },
  );
  assert.deepEqual(await readdir(root), []);
});

test("a rewrite refuses a file of another major and leaves it byte for byte", async (t) => {
  const root = await tempDir(t);
  const writer = new EquipmentCacheWriter();
  const path = equipmentJsonPath(root, "CONFOCAL_01");
  await writer.writeEquipment(path, equipmentPayload());
  const future = '{"schema_version":"2.0","id":"CONFOCAL_01","whatever":true}';
  await writeFile(path, future);
  await assert.rejects(writer.writeEquipment(path, equipmentPayload()), (err: unknown) => {
    assert.ok(err instanceof SchemaMajorMismatchError);
    assert.deepEqual(err.toEnvelope().error.details, { expected_major: 1, found: "2.0", path });
    return true;
  });
  assert.equal(await readFile(path, "utf8"), future);
  await assert.rejects(writer.readEquipment(path), SchemaMajorMismatchError);
});

test("a corrupt file is kept aside, reported, and first_seen_at is salvaged", async (t) => {
  const root = await tempDir(t);
  const warnings: CacheWarning[] = [];
  const clock = new FakeClock("2026-01-02T03:04:05Z");
  const writer = new EquipmentCacheWriter({ clock: clock.now, onWarning: (w) => warnings.push(w) });
  const path = equipmentJsonPath(root, "CONFOCAL_01");
  await writer.writeEquipment(path, equipmentPayload());
  const corrupt = '{"schema_version":"1.0","first_seen_at":"2024-05-06T07:08:09Z","id":';
  await writeFile(path, corrupt);
  const written = await writer.writeEquipment(path, equipmentPayload());
  assert.equal(written.first_seen_at, "2024-05-06T07:08:09Z");
  const kept = join(root, "CONFOCAL_01", ".exlab-wizard", "equipment.json.corrupt-2026-01-02T03-04-05Z");
  assert.equal(await readFile(kept, "utf8"), corrupt);
  assert.deepEqual(
    warnings.map((w) => [w.code, w.preservedAt]),
    [["corrupt_file_preserved", kept]],
  );
});

test("a rewrite keeps fields it does not know, byte for byte, and a newer minor's version", async (t) => {
  const root = await tempDir(t);
  const clock = new FakeClock("2026-01-01T00:00:00Z");
  const writer = new EquipmentCacheWriter({ clock: clock.now });
  const path = equipmentJsonPath(root, "CONFOCAL_01");
  await mkdir(dirname(path), { recursive: true });
  await writeFile(
    path,
    '{ "schema_version": "1.3", "id": "CONFOCAL_01", "label": "Old", "configured_local_root": "/data/lab",\n' +
      '  "configured_nas_root": "//nas01/lab", "first_seen_at": "2025-09-12T09:14:00Z", "last_modified_at": "2025-10-01T00:00:00Z",\n' +
      '  "calibration": { "due": "2027-01-01", "factor": 1.50, "serial": 123456789012345678901 }, "tags": [ "a", "b" ] }\n',
  );
  const written = await writer.writeEquipment(path, equipmentPayload({ label: "New" }));
  assert.equal(written.schema_version, "1.3");
  assert.equal(
    await readFile(path, "utf8"),
    '{"schema_version":"1.3","id":"CONFOCAL_01","label":"New","configured_local_root":"/data/lab","configured_nas_root":"//nas01/lab",' +
      '"first_seen_at":"2025-09-12T09:14:00Z","last_modified_at":"2026-01-01T00:00:00Z",' +
      '"calibration":{"due":"2027-01-01","factor":1.50,"serial":123456789012345678901},"tags":["a","b"]}',
  );
});

test("an existing file that fails validation is kept aside and its first_seen_at carried over", async (t) => {
  const root = await tempDir(t);
  const warnings: CacheWarning[] = [];
  const writer = new EquipmentCacheWriter({ clock: new FakeClock("2026-01-01T00:00:00Z").now, onWarning: (w) => warnings.push(w) });
  const path = equipmentJsonPath(root, "CONFOCAL_01");
  await mkdir(dirname(path), { recursive: true });
  const old = '{"schema_version":"1.0","id":"lower case","first_seen_at":"2024-01-01T00:00:00Z"}';
  await writeFile(path, old);
  const written = await writer.writeEquipment(path, equipmentPayload());
  assert.equal(written.first_seen_at, "2024-01-01T00:00:00Z");
  assert.equal(warnings[0]?.problem?.code, "validation_failed");
  assert.equal(await readFile(`${path}.corrupt-2026-01-01T00-00-00Z`, "utf8"), old);
});

test("an oversized existing file is refused on read and kept aside (by hard link) on rewrite", async (t) => {
  const root = await tempDir(t);
  const writer = new EquipmentCacheWriter({ clock: new FakeClock("2026-01-01T00:00:00Z").now });
  const path = equipmentJsonPath(root, "CONFOCAL_01");
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, Buffer.alloc(MAX_CACHE_FILE_BYTES + 1, 0x20));
  await assert.rejects(writer.readEquipment(path), (err: unknown) => err instanceof FileTooLargeError && err.code === "file_too_large");
  await writer.writeEquipment(path, equipmentPayload());
  const kept = await stat(`${path}.corrupt-2026-01-01T00-00-00Z`);
  assert.equal(kept.size, MAX_CACHE_FILE_BYTES + 1);
  assert.equal((await writer.readEquipment(path)).id, "CONFOCAL_01");
});

test("reading a missing file rejects with Node's own ENOENT error", async (t) => {
  const root = await tempDir(t);
  await assert.rejects(new EquipmentCacheWriter().readEquipment(equipmentJsonPath(root, "NOPE")), { code: "ENOENT" });
});

test("stale temp files of equipment.json are removed by the next writer", async (t) => {
  const root = await tempDir(t);
  const warnings: CacheWarning[] = [];
  const writer = new EquipmentCacheWriter({ onWarning: (w) => warnings.push(w) });
  const path = equipmentJsonPath(root, "CONFOCAL_01");
  await writer.writeEquipment(path, equipmentPayload());
  // One named as we name them, one as Python's tempfile.mkstemp would.
  await writeFile(`${path}.Qm2x_Z-a.tmp`, "{");
  await writeFile(`${path}.k3j_2h1q.tmp`, "{");
  await writer.writeEquipment(path, equipmentPayload());
  assert.deepEqual((await readdir(dirname(path))).sort(), ["equipment.json", "equipment.json.lock"]);
  assert.deepEqual(warnings.map((w) => w.code), ["stale_temp_removed", "stale_temp_removed"]);
});

test("equipment.json replaced by a symlink is refused on read and write; the target is untouched", async (t) => {
  const root = await tempDir(t);
  const writer = new EquipmentCacheWriter();
  const path = equipmentJsonPath(root, "CONFOCAL_01");
  const outside = join(root, "outside.json");
  const content = JSON.stringify({ schema_version: "1.0" });
  await writeFile(outside, content);
  await mkdir(dirname(path), { recursive: true });
  await symlink(outside, path);
  await assert.rejects(writer.readEquipment(path), (err: unknown) => err instanceof NotRegularFileError && err.code === "not_regular_file");
  await assert.rejects(writer.writeEquipment(path, equipmentPayload()), NotRegularFileError);
  assert.equal(await readFile(outside, "utf8"), content);
  assert.ok((await lstat(path)).isSymbolicLink());
});

test("writes reject an abort signal while waiting for the lock and change nothing", async (t) => {
  const root = await tempDir(t);
  const writer = new EquipmentCacheWriter();
  const path = equipmentJsonPath(root, "CONFOCAL_01");
  const first = await writer.writeEquipment(path, equipmentPayload());
  const before = await readFile(path, "utf8");
  const holder = startChild(t, process.execPath, [workerScript("lock-holder"), path]);
  const held = finished(holder);
  await waitForLine(holder, "locked");
  const controller = new AbortController();
  const pending = writer.writeEquipment(path, equipmentPayload({ label: "never" }), { signal: controller.signal });
  await waitForOwnFd((target) => target === `${path}.lock`);
  controller.abort(new Error("stop"));
  await assert.rejects(pending, /stop/);
  holder.stdin?.write("release\n");
  assert.equal((await held).code, 0);
  assert.equal(await readFile(path, "utf8"), before);
  assert.equal((await writer.readEquipment(path)).label, first.label);
});

test("a payload changed by its caller after the call cannot change what is written", async (t) => {
  const root = await tempDir(t);
  const writer = new EquipmentCacheWriter();
  const path = equipmentJsonPath(root, "CONFOCAL_01");
  const payload = equipmentPayload();
  const pending = writer.writeEquipment(path, payload);
  payload.id = "../../not an id";
  payload.label = "changed";
  await pending;
  const onDisk = await writer.readEquipment(path);
  assert.equal(onDisk.id, "CONFOCAL_01");
  assert.equal(onDisk.label, "Confocal Microscope 1");
});

test("a clock outside what a timestamp can hold, and a label with a lone surrogate, are refused before any write", async (t) => {
  const root = await tempDir(t);
  const path = equipmentJsonPath(root, "CONFOCAL_01");
  const farFuture = new EquipmentCacheWriter({ clock: () => new Date("+010000-01-01T00:00:00Z") });
  await assert.rejects(farFuture.writeEquipment(path, equipmentPayload()), ValidationError);
  await assert.rejects(new EquipmentCacheWriter().writeEquipment(path, equipmentPayload({ label: "bad \ud800 half" })), (err: unknown) => {
    return err instanceof ValidationError && err.issues[0]?.path === "label";
  });
  await assert.rejects(readFile(path), { code: "ENOENT" });
});
