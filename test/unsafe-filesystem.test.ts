/**
 * Filesystems where flock does not exclude every writer (NFS, SMB/CIFS,
 * FUSE) are detected and said so: one warning per filesystem per process,
 * a `check` finding, and a writer option that refuses to write there. The
 * FUSE cases use real mounts (bindfs, exfat-fuse) as root.
 */
import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { EquipmentCacheWriter, UnsafeFilesystemError, classifyFsType, equipmentJsonPath, testRunsMarkerPath, unsafeFilesystemOf, type CacheWarning } from "exlab-cache";
import { cli, stdoutJson } from "./helpers/cli.js";
import { bindfsMount, exfatMount } from "./helpers/fuse.js";
import { equipmentPayload, tempDir } from "./helpers/tmp.js";
import { needs } from "./helpers/capabilities.js";

test("statfs magic numbers: NFS, SMB, CIFS, SMB2 and FUSE are flagged; ext4, tmpfs, btrfs, xfs are not", () => {
  assert.deepEqual(classifyFsType(0x6969), { kind: "nfs", name: "nfs" });
  assert.deepEqual(classifyFsType(0x517b), { kind: "smb", name: "smbfs" });
  assert.deepEqual(classifyFsType(0xff534d42), { kind: "smb", name: "cifs" });
  assert.deepEqual(classifyFsType(0xfe534d42), { kind: "smb", name: "smb2" });
  // Node reports f_type as a signed or unsigned number depending on the platform.
  assert.deepEqual(classifyFsType(0xff534d42 | 0), { kind: "smb", name: "cifs" });
  assert.deepEqual(classifyFsType(0x65735546), { kind: "fuse", name: "fuse" });
  for (const local of [0xef53, 0x01021994, 0x9123683e, 0x58465342]) assert.equal(classifyFsType(local), undefined);
});

test("a local folder is not flagged, and a path not created yet is judged by its nearest existing parent", async (t) => {
  const dir = await tempDir(t);
  assert.equal(await unsafeFilesystemOf(dir), undefined);
  assert.equal(await unsafeFilesystemOf(join(dir, "not", "yet", "there.json")), undefined);
});

test("bindfs (FUSE, mounted as root): detected; the writer warns once per filesystem, check reports it, and refuseUnsafeFilesystems writes nothing", needs(["fuse"]), async (t) => {
  const { view } = await bindfsMount(t);
  const found = await unsafeFilesystemOf(join(view, "A", ".exlab-wizard", "equipment.json"));
  assert.equal(found?.kind, "fuse");
  assert.equal(found.examined, view);

  const warnings: CacheWarning[] = [];
  const writer = new EquipmentCacheWriter({ onWarning: (w) => warnings.push(w) });
  const eq = equipmentJsonPath(view, "CONFOCAL_01");
  await writer.writeEquipment(eq, equipmentPayload());
  await writer.writeEquipment(eq, equipmentPayload({ label: "again" }));
  await new EquipmentCacheWriter({ onWarning: (w) => warnings.push(w) }).writeTestRunsMarker(testRunsMarkerPath(view, "CONFOCAL_01", "P"), { project: "P", equipment: "CONFOCAL_01" });
  assert.deepEqual(warnings.map((w) => [w.code, w.path]), [["unsafe_filesystem", eq]]);
  assert.match(warnings[0]?.fsType ?? "", /^fuse \(0x65735546\)$/);

  const run = await cli(t, ["check", view, "--json"]);
  const { findings } = stdoutJson(run) as { findings: { rule: string; path: string }[] };
  assert.deepEqual(findings.filter((f) => f.rule === "unsafe_filesystem").map((f) => f.path), [view]);
  assert.equal(run.code, 1);

  const strict = new EquipmentCacheWriter({ refuseUnsafeFilesystems: true });
  const other = equipmentJsonPath(view, "FLOW_01");
  await assert.rejects(strict.writeEquipment(other, equipmentPayload({ id: "FLOW_01" })), (err: unknown) => {
    assert.ok(err instanceof UnsafeFilesystemError);
    assert.equal(err.code, "unsafe_filesystem");
    assert.equal(err.kind, "fuse");
    return true;
  });
  assert.deepEqual((await readdir(view)).sort(), ["CONFOCAL_01"]);
});

test("exfat-fuse (mounted as root): detected as FUSE, and a strict writer refuses the first marker there", needs(["fuse"]), async (t) => {
  const mnt = await exfatMount(t);
  assert.equal((await unsafeFilesystemOf(mnt))?.kind, "fuse");
  const writer = new EquipmentCacheWriter({ refuseUnsafeFilesystems: true });
  await assert.rejects(writer.writeTestRunsMarker(testRunsMarkerPath(mnt, "CONFOCAL_01", "P"), { project: "P", equipment: "CONFOCAL_01" }), UnsafeFilesystemError);
  assert.deepEqual(await readdir(mnt), []);
});

test("a local tree gets no unsafe_filesystem finding from check", async (t) => {
  const root = await tempDir(t);
  await new EquipmentCacheWriter().writeEquipment(equipmentJsonPath(root, "CONFOCAL_01"), equipmentPayload());
  const run = await cli(t, ["check", root, "--json"]);
  assert.deepEqual((stdoutJson(run) as { findings: unknown[] }).findings, []);
  assert.equal(run.code, 0);
});
