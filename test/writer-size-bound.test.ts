/**
 * A record the writer could not read back is never written: one whose
 * encoding is over the read bound is refused as validation_failed naming the
 * field, before any lock file, temp file or folder exists, and when only the
 * members carried over from the current file push it over, under the lock
 * before anything is kept aside or written.
 */
import assert from "node:assert/strict";
import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { EquipmentCacheWriter, MAX_CACHE_FILE_BYTES, ValidationError, equipmentJsonPath, testRunsMarkerPath } from "exlab-cache";
import { cli, stdoutJson } from "./helpers/cli.js";
import { listTree, snapshotTree } from "./helpers/snapshot.js";
import { FakeClock, equipmentPayload, tempDir } from "./helpers/tmp.js";

const HUGE = "L".repeat(MAX_CACHE_FILE_BYTES);

function isOversize(field: string): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof ValidationError, String(err));
    assert.equal(err.code, "validation_failed");
    assert.equal(err.field, field);
    assert.match(err.message, /read bound/);
    return true;
  };
}

test("writeEquipment and syncEquipment refuse a label over the read bound before the disk: no folder, lock or temp file", async (t) => {
  const root = await tempDir(t);
  const path = equipmentJsonPath(root, "CONFOCAL_01");
  const writer = new EquipmentCacheWriter({ clock: new FakeClock().now });
  await assert.rejects(writer.writeEquipment(path, equipmentPayload({ label: HUGE })), isOversize("label"));
  await assert.rejects(writer.syncEquipment(path, equipmentPayload({ label: HUGE })), isOversize("label"));
  assert.deepEqual(await readdir(root), []);
});

test("a sync over an existing file with an oversize label leaves it byte for byte, keeps nothing aside, and stays unrepaired", async (t) => {
  const root = await tempDir(t);
  const path = equipmentJsonPath(root, "CONFOCAL_01");
  const writer = new EquipmentCacheWriter({ clock: new FakeClock().now });
  await writer.writeEquipment(path, equipmentPayload());
  const before = listTree(await snapshotTree(root));
  await assert.rejects(writer.syncEquipment(path, equipmentPayload({ label: HUGE })), isOversize("label"));
  assert.deepEqual(listTree(await snapshotTree(root)), before);
  assert.equal((await writer.syncEquipment(path, equipmentPayload())).status, "unchanged");
});

test("members kept from the current file that push the record over are refused under the lock, before any temp or kept-aside copy", async (t) => {
  const root = await tempDir(t);
  const path = equipmentJsonPath(root, "CONFOCAL_01");
  const clock = new FakeClock();
  const writer = new EquipmentCacheWriter({ clock: clock.now });
  await writer.writeEquipment(path, equipmentPayload());
  // A newer minor's member of 400 KiB: the file stays readable.
  const text = (await readFile(path, "utf8")).replace(/}$/, `,"notes":"${"n".repeat(400 * 1024)}"}`);
  await writeFile(path, text);
  const before = listTree(await snapshotTree(root));
  clock.advance(60);
  const label = "L".repeat(700 * 1024); // fits alone, not with the kept member
  await assert.rejects(writer.syncEquipment(path, equipmentPayload({ label })), isOversize("label"));
  await assert.rejects(writer.writeEquipment(path, equipmentPayload({ label })), isOversize("label"));
  assert.deepEqual(listTree(await snapshotTree(root)), before);
  // The lock was released: the next write goes through and keeps the member.
  assert.equal((await writer.syncEquipment(path, equipmentPayload({ label: "Short" }))).status, "updated");
  assert.match(await readFile(path, "utf8"), /"notes":"n{409600}"}$/);
});

test("a marker over a small read bound is refused before the disk; nothing is created", async (t) => {
  const root = await tempDir(t);
  const path = testRunsMarkerPath(root, "CONFOCAL_01", "P".repeat(200));
  const writer = new EquipmentCacheWriter({ maxFileBytes: 256 });
  await assert.rejects(writer.writeTestRunsMarker(path, { project: "P".repeat(200), equipment: "CONFOCAL_01" }), isOversize("project"));
  await assert.rejects(writer.writeRunsMarker(path.replace("TestRuns", "Runs").replace("test_runs", "runs"), { project: "P".repeat(200), equipment: "CONFOCAL_01" }), isOversize("project"));
  assert.deepEqual(await readdir(root), []);
});

test("sync: the oversize entry fails with validation_failed and writes nothing; the others sync, also on a dry run", async (t) => {
  const dir = await tempDir(t);
  const lab = join(dir, "lab");
  await mkdir(lab);
  // A config is at most 1 MiB, so the label grows past the bound in the
  // encoding: each YAML escape `\x01` (4 bytes) is `\u0001` (6) in JSON.
  const escapes = "\\x01".repeat(Math.ceil(MAX_CACHE_FILE_BYTES / 6) + 1);
  const config = [
    "equipment:",
    '  - id: "BIG_01"',
    `    label: "${escapes}"`,
    `    local_root: "${lab}"`,
    '    nas_root: "//nas01/lab"',
    '  - id: "SMALL_02"',
    '    label: "Small"',
    `    local_root: "${lab}"`,
    '    nas_root: "//nas01/lab"',
    "",
  ].join("\n");
  await writeFile(join(dir, "config.yaml"), config);
  for (const dry of [true, false]) {
    const run = await cli(t, ["sync", "--config", join(dir, "config.yaml"), "--json", ...(dry ? ["--dry-run"] : [])]);
    assert.equal(run.code, 1, run.stderr);
    const out = stdoutJson(run) as { results: { id: string; status: string; errors: { code: string; field?: string }[] }[] };
    const [big, small] = out.results;
    assert.equal(big?.status, "failed");
    assert.deepEqual(big?.errors.map((e) => [e.code, e.field]), [["validation_failed", "label"]]);
    assert.equal(small?.status, "created");
  }
  assert.deepEqual((await readdir(lab)).sort(), ["SMALL_02"]);
  assert.deepEqual(await readdir(dirname(equipmentJsonPath(lab, "SMALL_02"))), ["equipment.json", "equipment.json.lock"]);
});
