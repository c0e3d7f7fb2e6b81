/**
 * Hostile inputs (issue 5, point 4), the symlinks: `equipment.json`, a
 * marker, or their sidecar replaced by a symbolic link, to a file outside the
 * tree (holding a valid record, so following it would "work") or dangling.
 * Reads and writes must refuse with a structured error, leave the link in
 * place, leave the target byte for byte, and never create a file at a
 * dangling target.
 */
import assert from "node:assert/strict";
import { mkdir, readdir, readlink, symlink, unlink, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { test } from "node:test";
import { EquipmentCacheWriter, ExlabCacheError, equipmentJsonPath, testRunsMarkerPath, withFileLock } from "exlab-cache";
import { listTree, snapshotTree } from "../helpers/snapshot.js";
import { equipmentPayload, tempDir } from "../helpers/tmp.js";
import { settle, watchUnhandledRejections } from "../helpers/unhandled.js";

const unhandled = watchUnhandledRejections();

const VALID_ELSEWHERE =
  '{"schema_version":"1.0","id":"CONFOCAL_01","label":"Somebody else\'s file","configured_local_root":"/x","configured_nas_root":"/y",' +
  '"first_seen_at":"2020-01-01T00:00:00Z","last_modified_at":"2020-01-01T00:00:00Z"}';

type File = "equipment" | "marker";
type Link = "file" | "sidecar";

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof ExlabCacheError, `expected a structured error, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return true;
  });
}

for (const file of ["equipment", "marker"] as const satisfies readonly File[]) {
  for (const link of ["file", "sidecar"] as const satisfies readonly Link[]) {
    for (const dangling of [false, true]) {
      const what = `${file === "equipment" ? "equipment.json" : "test_runs.json"}${link === "sidecar" ? "'s sidecar" : ""}`;
      const to = dangling ? "a dangling target outside the tree" : "a file outside the tree";
      test(`hostile symlink: ${what} is a symlink to ${to} — refused with a structured error, target untouched`, async (t) => {
        const root = await tempDir(t);
        const lab = join(root, "lab");
        const outside = join(root, "outside");
        await mkdir(outside);
        await writeFile(join(outside, "secret.json"), VALID_ELSEWHERE);
        const target = join(outside, dangling ? "absent.json" : "secret.json");
        const path = file === "equipment" ? equipmentJsonPath(lab, "CONFOCAL_01") : testRunsMarkerPath(lab, "CONFOCAL_01", "PROJ-0042");
        const writer = new EquipmentCacheWriter({ clock: () => new Date("2026-05-01T00:00:00Z") });
        const write = (): Promise<unknown> =>
          file === "equipment"
            ? writer.writeEquipment(path, equipmentPayload())
            : writer.writeTestRunsMarker(path, { project: "PROJ-0042", equipment: "CONFOCAL_01" });
        const readBack = (): Promise<unknown> => (file === "equipment" ? writer.readEquipment(path) : writer.readTestRunsMarker(path));
        if (link === "sidecar") {
          // A real file, written before the sidecar is swapped for a link.
          await write();
          await unlink(`${path}.lock`);
          await symlink(target, `${path}.lock`);
        } else {
          await mkdir(dirname(path), { recursive: true });
          await symlink(target, path);
          // The sidecar is the one file a refused write may create; make it
          // now so the tree can be compared whole.
          await withFileLock(path, () => undefined);
        }
        const linkPath = link === "sidecar" ? `${path}.lock` : path;
        const outsideBefore = listTree(await snapshotTree(outside));
        const labBefore = listTree(await snapshotTree(lab));

        if (link === "file") {
          await expectCode(readBack(), "not_regular_file");
          await expectCode(write(), "not_regular_file");
        } else {
          // Readers take no lock, so the sidecar does not concern them.
          await readBack();
          await expectCode(write(), "lock_failed");
          await expectCode(withFileLock(path, () => undefined), "lock_failed");
        }
        assert.equal(await readlink(linkPath), target, "the link was replaced");
        assert.deepEqual(listTree(await snapshotTree(outside)), outsideBefore, "a file outside the tree was touched or created");
        assert.deepEqual(listTree(await snapshotTree(lab)), labBefore, "the tree changed");
        assert.deepEqual(
          (await readdir(dirname(path))).filter((e) => e.startsWith(`${basename(path)}.`) && e.endsWith(".tmp")),
          [],
        );
      });
    }
  }
}

test("hostile symlinks: no unhandled promise rejection", async () => {
  await settle();
  assert.deepEqual(unhandled, []);
});
