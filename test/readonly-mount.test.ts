/**
 * On a real read-only mount (a bind mount remounted ro), where no sidecar
 * `.lock` exists and none can be created: an existing marker is "already
 * present", an unchanged sync is "unchanged", and a change that needs a
 * write fails as write_failed with os_code EROFS, nothing changed.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdir, rm, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { EquipmentCacheWriter, WriteFailedError, equipmentJsonPath, runsMarkerPath, testRunsMarkerPath } from "exlab-cache";
import { cli } from "./helpers/cli.js";
import { listTree, snapshotTree } from "./helpers/snapshot.js";
import { FakeClock, equipmentPayload, tempDir } from "./helpers/tmp.js";
import { needs } from "./helpers/capabilities.js";

function run(args: string[]): void {
  const r = spawnSync(args[0] ?? "", args.slice(1), { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${args.join(" ")}: ${r.error?.message ?? r.stderr}`);
}

/** `dir` seen read-only at a new mount point, unmounted when `t` ends. */
async function readOnlyView(t: TestContext, dir: string): Promise<string> {
  const view = `${dir}-ro`;
  await mkdir(view);
  t.after(async () => {
    spawnSync("umount", [view]); // fails harmlessly when the mount was never made
    await rm(view, { recursive: true, force: true });
  });
  run(["mount", "--bind", dir, view]);
  run(["mount", "-o", "remount,ro,bind", view]);
  return view;
}

const marker = { project: "PROJ-0042", equipment: "CONFOCAL_01" };

/** A tree with equipment.json and the TestRuns marker, and no sidecars. */
async function seed(t: TestContext): Promise<string> {
  const root = await tempDir(t);
  const writer = new EquipmentCacheWriter({ clock: new FakeClock().now });
  await writer.writeEquipment(equipmentJsonPath(root, "CONFOCAL_01"), equipmentPayload());
  await writer.writeTestRunsMarker(testRunsMarkerPath(root, "CONFOCAL_01", "PROJ-0042"), marker);
  await unlink(`${equipmentJsonPath(root, "CONFOCAL_01")}.lock`);
  await unlink(`${testRunsMarkerPath(root, "CONFOCAL_01", "PROJ-0042")}.lock`);
  return root;
}

function isReadOnlyRefusal(path: string): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof WriteFailedError, String(err));
    assert.equal(err.code, "write_failed");
    assert.equal(err.osCode, "EROFS");
    assert.equal(err.path, path);
    return true;
  };
}

test("library on a read-only mount: marker present is false, unchanged sync is unchanged, a change is write_failed EROFS", needs(["mount"]), async (t) => {
  const ro = await readOnlyView(t, await seed(t));
  const before = listTree(await snapshotTree(ro));
  const writer = new EquipmentCacheWriter({ clock: new FakeClock().now });
  const eq = equipmentJsonPath(ro, "CONFOCAL_01");
  assert.equal(await writer.writeTestRunsMarker(testRunsMarkerPath(ro, "CONFOCAL_01", "PROJ-0042"), marker), false);
  const outcome = await writer.syncEquipment(eq, equipmentPayload());
  assert.equal(outcome.status, "unchanged");
  assert.deepEqual(outcome.record, await writer.readEquipment(eq));
  const runs = runsMarkerPath(ro, "CONFOCAL_01", "PROJ-0042");
  await assert.rejects(writer.writeRunsMarker(runs, marker), isReadOnlyRefusal(runs));
  await assert.rejects(writer.syncEquipment(eq, equipmentPayload({ label: "New" })), isReadOnlyRefusal(eq));
  await assert.rejects(writer.writeEquipment(eq, equipmentPayload()), isReadOnlyRefusal(eq));
  assert.deepEqual(listTree(await snapshotTree(ro)), before);
});

test("CLI on a read-only mount: mark-test-runs prints already present, mark-runs fails with EROFS, sync reports unchanged", needs(["mount"]), async (t) => {
  const ro = await readOnlyView(t, await seed(t));
  const before = listTree(await snapshotTree(ro));
  const args = ["--root", ro, "--equipment", "CONFOCAL_01", "--project", "PROJ-0042"];
  const present = await cli(t, ["mark-test-runs", ...args]);
  assert.equal(present.code, 0, present.stderr);
  assert.match(present.stdout, /^already present {2}\S*test_runs\.json$/m);
  const absent = await cli(t, ["mark-runs", ...args]);
  assert.notEqual(absent.code, 0);
  assert.match(absent.stderr, /EROFS/);
  const dir = await tempDir(t);
  const config = join(dir, "config.yaml");
  const p = equipmentPayload();
  await writeFile(config, `equipment:\n  - id: "${p.id}"\n    label: "${p.label}"\n    local_root: "${p.configured_local_root}"\n    nas_root: "${p.configured_nas_root}"\n`);
  const synced = await cli(t, ["sync", "--config", config, "--root", ro]);
  assert.equal(synced.code, 0, synced.stdout + synced.stderr);
  assert.match(synced.stdout, /^unchanged {2}CONFOCAL_01 /m);
  assert.deepEqual(listTree(await snapshotTree(ro)), before);
});
