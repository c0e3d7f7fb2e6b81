/**
 * A sync on a disk with no inode left, on a real tmpfs mounted with
 * `nr_inodes`: the first file a write needs is the `.lock` sidecar (or the
 * folder that holds it), and the kernel refuses it with ENOSPC. That is a
 * full disk, reported as `write_failed` with the OS code, like every other
 * full-disk failure; `lock_failed` would send the user to `doctor` and the
 * native binary instead.
 */
import assert from "node:assert/strict";
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { EquipmentCacheWriter, equipmentJsonPath, type ExlabCacheError } from "exlab-cache";
import { needs } from "../helpers/capabilities.js";
import { cli, stdoutJson } from "../helpers/cli.js";
import { mountTmpfs } from "../helpers/mount.js";
import { callByCallFs } from "../helpers/nodefs.js";
import { listTree, snapshotTree } from "../helpers/snapshot.js";
import { equipmentPayload, tempDir } from "../helpers/tmp.js";
import { put } from "../helpers/tree.js";

interface SyncJson {
  results: { id: string; status: string; path: string; errors: { code: string; details?: Record<string, unknown> }[] }[];
}

/** Create empty files in `dir` until the filesystem has no inode left; returns how many it took. */
async function useUpInodes(dir: string): Promise<number> {
  await mkdir(dir);
  // A bound, so a kernel that ignored nr_inodes fails the test instead of looping.
  for (let n = 0; n < 10_000; n++) {
    try {
      await writeFile(join(dir, `f${n}`), "");
    } catch (err) {
      assert.equal((err as NodeJS.ErrnoException).code, "ENOSPC");
      return n;
    }
  }
  throw new Error(`${dir}: still creating files after 10000; nr_inodes did not hold`);
}

/**
 * A lab on a tmpfs of 32 inodes: CONFOCAL_01's `.exlab-wizard` folder
 * exists (its first missing inode is the sidecar), FLOW_01 has no folder
 * yet (the first is the folder). Then every inode is used up.
 */
async function labWithoutInodes(t: TestContext): Promise<{ lab: string; filler: string }> {
  const mnt = await mountTmpfs(t, 1024, { inodes: 32 });
  const lab = join(mnt, "lab");
  await mkdir(join(lab, "CONFOCAL_01", ".exlab-wizard"), { recursive: true });
  const filler = join(mnt, "filler");
  assert.ok((await useUpInodes(filler)) > 0);
  return { lab, filler };
}

test("sync with no inode left for the .lock sidecar (or its folder) fails each entry with write_failed (ENOSPC), creates nothing, and works once inodes are freed", needs(["mount"]), async (t) => {
  const { lab, filler } = await labWithoutInodes(t);
  const config = await put(
    join(await tempDir(t), "config.yaml"),
    ["paths:", `  local_root: "${lab}"`, "equipment:", "  - id: CONFOCAL_01", "    label: Confocal", "    nas_root: /mnt/nas", "  - id: FLOW_01", "    label: Flow", "    nas_root: /mnt/nas", ""].join("\n"),
  );
  const before = listTree(await snapshotTree(lab));

  const run = await cli(t, ["sync", "--config", config, "--json"]);
  assert.equal(run.code, 1, run.stderr);
  const out = stdoutJson(run) as SyncJson;
  assert.deepEqual(
    out.results.map((r) => [r.id, r.status, r.errors.map((e) => [e.code, e.details?.["os_code"], e.details?.["syscall"], e.details?.["path"]])]),
    [
      ["CONFOCAL_01", "failed", [["write_failed", "ENOSPC", "open", equipmentJsonPath(lab, "CONFOCAL_01")]]],
      ["FLOW_01", "failed", [["write_failed", "ENOSPC", "mkdir", equipmentJsonPath(lab, "FLOW_01")]]],
    ],
  );
  const human = await cli(t, ["sync", "--config", config]);
  assert.equal(human.code, 1, human.stderr);
  assert.match(human.stdout, /^failed {2}CONFOCAL_01 {2}Cannot write .*ENOSPC.* \[write_failed\]$/m);
  assert.deepEqual(listTree(await snapshotTree(lab)), before);

  await rm(filler, { recursive: true });
  const again = stdoutJson(await cli(t, ["sync", "--config", config, "--json"])) as SyncJson;
  assert.deepEqual(
    again.results.map((r) => r.status),
    ["created", "created"],
  );
});

test("the node:fs backend maps the sidecar's ENOSPC the same way: write_failed, not lock_failed", needs(["mount"]), async (t) => {
  const { lab } = await labWithoutInodes(t);
  const path = equipmentJsonPath(lab, "CONFOCAL_01");
  const writer = new EquipmentCacheWriter({ fs: callByCallFs });
  await assert.rejects(writer.syncEquipment(path, equipmentPayload({ configured_local_root: lab })), (err: ExlabCacheError) => {
    assert.equal(err.code, "write_failed", err.message);
    assert.equal(err.details?.["os_code"], "ENOSPC");
    assert.equal(err.details?.["syscall"], "open");
    return true;
  });
  assert.deepEqual(await readdir(join(lab, "CONFOCAL_01", ".exlab-wizard")), []);
});
