/**
 * The faults of fault-injection.test.ts met on real filesystems: a full
 * size-limited tmpfs (ENOSPC), a tmpfs remounted read-only (EROFS), and a
 * folder the writing user may not write (EACCES). Mounting needs root and a
 * kernel that allows it; where the machine refuses, each test runs the
 * injected equivalent instead and its name says so — nothing is skipped.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { chmod, open, readFile, readdir, unlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import { test, type TestContext } from "node:test";
import { EquipmentCacheWriter, equipmentJsonPath, testRunsMarkerPath, type FileSystem } from "exlab-cache";
import { finished, workerScript } from "../helpers/children.js";
import { assertPermissionDenied, assertWriteFailed, faultyFs, refuseChanges } from "../helpers/faulty-fs.js";
import { REQUIRE_ALL, lacking, needs } from "../helpers/capabilities.js";
import { mountTmpfs, remountReadOnly } from "../helpers/mount.js";
import { snapshotTree, listTree } from "../helpers/snapshot.js";
import { FakeClock, equipmentPayload, tempDir } from "../helpers/tmp.js";

const MOUNT_REFUSED = lacking("mount");
// Elsewhere the injected equivalents stand in; CI must meet the real faults.
if (REQUIRE_ALL) needs(["mount"]);
const REAL_FS = MOUNT_REFUSED === undefined;
const how = REAL_FS ? "on a real tmpfs" : `injected (mount refused: ${MOUNT_REFUSED})`;

/** Whether a child running as `nobody` can load the library from here (a root-only checkout cannot). */
function nobodyCanRun(): boolean {
  if (process.getuid?.() !== 0) return false;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", 'await import("exlab-cache")'], { uid: 65534, gid: 65534, cwd: process.cwd() });
  return r.status === 0;
}
const UNPRIVILEGED = process.getuid?.() !== 0 ? "self" : nobodyCanRun() ? "nobody" : undefined;

/** Fill the filesystem holding `dir` until the kernel says ENOSPC. */
async function fillUp(dir: string): Promise<string> {
  const filler = join(dir, "filler");
  const fh = await open(filler, "w");
  try {
    const chunk = Buffer.alloc(4096, 0x61);
    for (;;) await fh.write(chunk);
  } catch (err) {
    assert.equal((err as NodeJS.ErrnoException).code, "ENOSPC");
  } finally {
    await fh.close();
  }
  return filler;
}

test(`ENOSPC ${how}: the rewrite fails with write_failed naming the file, the original stays byte for byte, no temp file, and the write succeeds once space is freed`, async (t) => {
  const root = REAL_FS ? await mountTmpfs(t, 128) : await tempDir(t);
  const clock = new FakeClock();
  const path = equipmentJsonPath(root, "CONFOCAL_01");
  await new EquipmentCacheWriter({ clock: clock.now }).writeEquipment(path, equipmentPayload());
  const before = await readFile(path);
  let fs: FileSystem | undefined;
  let filler: string | undefined;
  if (REAL_FS) filler = await fillUp(root);
  else fs = faultyFs((op) => (op === "write" ? "ENOSPC" : undefined)).fs;
  clock.advance(60);
  const writer = new EquipmentCacheWriter({ clock: clock.now, ...(fs === undefined ? {} : { fs }) });
  await assert.rejects(writer.writeEquipment(path, equipmentPayload({ label: "x".repeat(8192) })), (err) => assertWriteFailed(err, path, "ENOSPC", "write"));
  assert.deepEqual(await readFile(path), before);
  assert.deepEqual((await readdir(dirname(path))).sort(), ["equipment.json", "equipment.json.lock"]);
  if (filler !== undefined) await unlink(filler);
  const healthy = new EquipmentCacheWriter({ clock: clock.now });
  assert.equal((await healthy.writeEquipment(path, equipmentPayload({ label: "x".repeat(8192) }))).label.length, 8192);
});

test(`read-only mount ${how}: every write fails with write_failed (EROFS) naming its file, nothing changes, and reads still work`, async (t) => {
  const root = REAL_FS ? await mountTmpfs(t, 256) : await tempDir(t);
  const writer = new EquipmentCacheWriter({ clock: new FakeClock().now });
  const path = equipmentJsonPath(root, "CONFOCAL_01");
  const marker = testRunsMarkerPath(root, "CONFOCAL_01", "PROJ-0042");
  await writer.writeEquipment(path, equipmentPayload());
  const record = await writer.readEquipment(path);
  const before = listTree(await snapshotTree(root));
  let roWriter = writer;
  if (REAL_FS) {
    remountReadOnly(root);
  } else {
    const { fs } = faultyFs(refuseChanges(root, "EROFS", true));
    roWriter = new EquipmentCacheWriter({ fs });
  }
  // The real mount refuses the sidecar first (open, or mkdir for a new
  // folder); the injected layer, which does not reach the lock, refuses the
  // temp file. Either way: write_failed, EROFS, naming the file written.
  const step = (real: string, injected: string): string => (REAL_FS ? real : injected);
  await assert.rejects(roWriter.writeEquipment(path, equipmentPayload({ label: "New" })), (err) => assertWriteFailed(err, path, "EROFS", "open"));
  const other = equipmentJsonPath(root, "OTHER_02");
  await assert.rejects(roWriter.writeEquipment(other, equipmentPayload({ id: "OTHER_02" })), (err) => assertWriteFailed(err, other, "EROFS", step("mkdir", "open")));
  await assert.rejects(roWriter.writeTestRunsMarker(marker, { project: "PROJ-0042", equipment: "CONFOCAL_01" }), (err) =>
    assertWriteFailed(err, marker, "EROFS", step("mkdir", "open")),
  );
  if (!REAL_FS) {
    // Without the real mount the sidecars and folders above were created by the lock; compare the files only.
    for (const [rel, e] of listTree(await snapshotTree(root))) if (e.kind === "file" && !rel.endsWith(".lock")) assert.ok(before.some(([r]) => r === rel), `${rel} appeared`);
  } else {
    assert.deepEqual(listTree(await snapshotTree(root)), before, "the read-only tree changed");
  }
  assert.deepEqual(await roWriter.readEquipment(path), record);
});

const eaccesHow =
  UNPRIVILEGED === undefined ? "injected (no unprivileged user can run the library from this checkout)" : "for a real user without write permission";

test(`EACCES ${eaccesHow}: permission_denied naming the folder that refused, nothing changes`, async (t) => {
  const root = await tempDir(t);
  const path = equipmentJsonPath(root, "CONFOCAL_01");
  const other = equipmentJsonPath(root, "OTHER_02");
  await new EquipmentCacheWriter({ clock: new FakeClock().now }).writeEquipment(path, equipmentPayload());
  if (UNPRIVILEGED === undefined) {
    const { fs } = faultyFs(refuseChanges(root, "EACCES", true));
    await assert.rejects(new EquipmentCacheWriter({ fs }).writeEquipment(path, equipmentPayload({ label: "New" })), (err) => assertPermissionDenied(err, dirname(path), "create_in_folder"));
    return;
  }
  // As root, the tree is root's and the writer runs as nobody; as an
  // ordinary user, the folders lose their write bit (root ignores it).
  const locked = [root, dirname(dirname(path)), dirname(path)];
  for (const d of locked) await chmod(d, UNPRIVILEGED === "self" ? 0o555 : 0o755);
  try {
    await attemptAsOther(t, root, path, other);
  } finally {
    for (const d of locked) await chmod(d, 0o755);
  }
});

async function attemptAsOther(t: TestContext, root: string, path: string, other: string): Promise<void> {
  const before = listTree(await snapshotTree(root));
  const attempt = async (file: string): Promise<Record<string, unknown>> => {
    const ids = UNPRIVILEGED === "nobody" ? { uid: 65534, gid: 65534 } : {};
    const child = spawn(process.execPath, [workerScript("rel-write-once"), "equipment", file], { stdio: ["ignore", "pipe", "pipe"], ...ids });
    t.after(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    });
    const r = await finished(child);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  };
  const rewrite = await attempt(path);
  assert.deepEqual(
    { ...rewrite, message: undefined },
    { ok: false, name: "PermissionDeniedError", code: "permission_denied", path: dirname(path), osCode: "EACCES", operation: "create_in_folder", message: undefined },
  );
  assert.ok(String(rewrite["message"]).includes(dirname(path)), String(rewrite["message"]));
  const first = await attempt(other);
  assert.deepEqual(
    { ...first, message: undefined },
    { ok: false, name: "PermissionDeniedError", code: "permission_denied", path: root, osCode: "EACCES", operation: "create_in_folder", message: undefined },
  );
  assert.deepEqual(listTree(await snapshotTree(root)), before, "the tree changed");
}
