import assert from "node:assert/strict";
import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { EquipmentCacheWriter, ValidationError, equipmentJsonPath, formatTimestamp, isTimestamp, type CacheWarning } from "exlab-cache";
import { spawnSync } from "node:child_process";
import { cli, stdoutJson } from "./helpers/cli.js";
import { FakeClock, equipmentPayload, tempDir } from "./helpers/tmp.js";
import { equipmentRecord, put } from "./helpers/tree.js";
import { PYTHON, needs } from "./helpers/capabilities.js";

test("syncEquipment reports created, unchanged (nothing written), updated with the changed fields, and repaired", async (t) => {
  const root = await tempDir(t);
  const clock = new FakeClock("2026-01-01T00:00:00Z");
  const writer = new EquipmentCacheWriter({ clock: clock.now, onWarning: () => undefined });
  const path = equipmentJsonPath(root, "CONFOCAL_01");
  const first = await writer.syncEquipment(path, equipmentPayload());
  assert.deepEqual([first.status, first.changed], ["created", []]);
  const bytes = await readFile(path, "utf8");
  clock.advance(60);
  const same = await writer.syncEquipment(path, equipmentPayload());
  assert.deepEqual([same.status, same.changed, same.record.last_modified_at], ["unchanged", [], "2026-01-01T00:00:00Z"]);
  assert.equal(await readFile(path, "utf8"), bytes);
  const changed = await writer.syncEquipment(path, equipmentPayload({ label: "New", configured_nas_root: "//nas02/lab" }));
  assert.deepEqual([changed.status, changed.changed, changed.record.first_seen_at], ["updated", ["label", "configured_nas_root"], "2026-01-01T00:00:00Z"]);
  await writeFile(path, "{not json");
  assert.equal((await writer.syncEquipment(path, equipmentPayload())).status, "repaired");
});

test("a valid record larger than the read bound keeps its first_seen_at on rewrite, taken from its leading bytes", async (t) => {
  const root = await tempDir(t);
  const warnings: CacheWarning[] = [];
  const writer = new EquipmentCacheWriter({ clock: new FakeClock("2026-01-01T00:00:00Z").now, maxFileBytes: 4096, onWarning: (w) => warnings.push(w) });
  const path = equipmentJsonPath(root, "CONFOCAL_01");
  // A newer minor's record with a large extra member: valid, only big.
  const big = JSON.stringify({ ...equipmentRecord({ schema_version: "1.7", first_seen_at: "2019-05-06T07:08:09Z" }), notes: "x".repeat(10_000) });
  await put(path, big);
  const outcome = await writer.syncEquipment(path, equipmentPayload());
  assert.equal(outcome.status, "repaired");
  assert.equal(outcome.record.first_seen_at, "2019-05-06T07:08:09Z");
  assert.equal((JSON.parse(await readFile(path, "utf8")) as Record<string, string>)["first_seen_at"], "2019-05-06T07:08:09Z");
  assert.equal(warnings[0]?.code, "corrupt_file_preserved");
  assert.equal(await readFile(warnings[0]?.preservedAt ?? "", "utf8"), big);
});

test("year 0000 is refused: as a clock reading, by formatTimestamp and by isTimestamp, as Python's datetime refuses it", needs(["python3"]), async (t) => {
  const root = await tempDir(t);
  const path = equipmentJsonPath(root, "CONFOCAL_01");
  const yearZero = new Date("0000-06-01T00:00:00Z");
  assert.throws(() => formatTimestamp(yearZero), RangeError);
  assert.equal(isTimestamp("0000-06-01T00:00:00Z"), false);
  assert.equal(isTimestamp("0001-01-01T00:00:00Z"), true);
  await assert.rejects(new EquipmentCacheWriter({ clock: () => yearZero }).writeEquipment(path, equipmentPayload()), ValidationError);
  await assert.rejects(readFile(path), { code: "ENOENT" });
  // The earliest accepted timestamp is one Python reads.
  const written = await new EquipmentCacheWriter({ clock: () => new Date("0001-01-01T00:00:00Z") }).writeEquipment(path, equipmentPayload());
  const py = spawnSync(PYTHON, ["-c", "import sys, datetime; print(datetime.datetime.strptime(sys.argv[1], '%Y-%m-%dT%H:%M:%SZ').year)", written.first_seen_at], { encoding: "utf8" });
  assert.equal(py.stdout.trim(), "1", py.stderr);
  const bad = spawnSync(PYTHON, ["-c", "import datetime; datetime.datetime.strptime('0000-06-01T00:00:00Z', '%Y-%m-%dT%H:%M:%SZ')"], { encoding: "utf8" });
  assert.notEqual(bad.status, 0);
});

test("a clock behind the record's first_seen_at still writes, and warns clock_behind_record; the CLI reports it", async (t) => {
  const root = await tempDir(t);
  const warnings: CacheWarning[] = [];
  const writer = new EquipmentCacheWriter({ clock: new FakeClock("2020-01-01T00:00:00Z").now, onWarning: (w) => warnings.push(w) });
  const path = equipmentJsonPath(root, "CONFOCAL_01");
  await put(path, equipmentRecord({ first_seen_at: "2025-09-12T09:14:00Z" }));
  const written = await writer.writeEquipment(path, equipmentPayload({ label: "New" }));
  assert.deepEqual([written.first_seen_at, written.last_modified_at], ["2025-09-12T09:14:00Z", "2020-01-01T00:00:00Z"]);
  assert.deepEqual(warnings.map((w) => [w.code, w.path]), [["clock_behind_record", path]]);

  // Through the binary: a record first seen in the far future, as after a clock that ran ahead.
  const lab = join(root, "lab");
  const future = equipmentJsonPath(lab, "CONFOCAL_01");
  await put(future, equipmentRecord({ configured_local_root: lab, first_seen_at: "9999-01-01T00:00:00Z", last_modified_at: "9999-01-01T00:00:00Z" }));
  const config = await put(join(root, "config.yaml"), `equipment:\n  - id: CONFOCAL_01\n    label: Renamed\n    local_root: ${lab}\n    nas_root: //nas01/lab\n`);
  const run = await cli(t, ["sync", "--config", config]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /^warning: The clock reads \S+, earlier than .*equipment\.json's first_seen_at 9999-01-01T00:00:00Z; written anyway, with last_modified_at before first_seen_at \[clock_behind_record\]\n$/);
  await put(config, `equipment:\n  - id: CONFOCAL_01\n    label: Again\n    local_root: ${lab}\n    nas_root: //nas01/lab\n`);
  const json = stdoutJson(await cli(t, ["sync", "--config", config, "--json"])) as { warnings: { code: string; path: string }[] };
  assert.deepEqual(json.warnings.map((w) => [w.code, w.path]), [["clock_behind_record", future]]);
});

test("two concurrent sync processes on one config: exactly one reports created per entry", async (t) => {
  const dir = await tempDir(t);
  const lab = join(dir, "lab");
  await mkdir(lab);
  const ids = Array.from({ length: 40 }, (_, i) => `EQ_${String(i).padStart(3, "0")}`);
  const config = await put(join(dir, "config.yaml"), `equipment:\n${ids.map((id) => `  - id: ${id}\n    label: ${id}\n    local_root: ${lab}\n    nas_root: //nas/lab\n`).join("")}`);
  // Each process syncs in its own order, so they meet on the same entries from both ends.
  const reversed = await put(join(dir, "other", "config.yaml"), `equipment:\n${[...ids].reverse().map((id) => `  - id: ${id}\n    label: ${id}\n    local_root: ${lab}\n    nas_root: //nas/lab\n`).join("")}`);
  const [a, b] = await Promise.all([cli(t, ["sync", "--config", config, "--json"]), cli(t, ["sync", "--config", reversed, "--json"])]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  type Out = { results: { id: string; status: string }[] };
  const statuses = new Map<string, string[]>();
  for (const r of [...(stdoutJson(a) as Out).results, ...(stdoutJson(b) as Out).results]) statuses.set(r.id, [...(statuses.get(r.id) ?? []), r.status]);
  for (const id of ids) assert.deepEqual(statuses.get(id)?.sort(), ["created", "unchanged"], id);
  assert.equal((await readdir(lab)).length, ids.length);
});
