import assert from "node:assert/strict";
import { readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import {
  EquipmentCacheWriter,
  SchemaMajorMismatchError,
  ValidationError,
  equipmentJsonPath,
  type CacheWarning,
} from "exlab-cache";
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
