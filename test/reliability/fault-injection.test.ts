/**
 * Fault injection (issue 5, point 3), at the edge: the writer's and
 * atomicWriteFile's `fs` option gets a layer that turns chosen calls into
 * operating-system errors. Every case must reject with a WriteFailedError
 * naming the target, leave the original byte for byte (or absent, for a
 * first marker), leave no temp file, leave the lock free, and not stand in
 * the way of the next write. real-faults.test.ts meets the same faults on
 * real filesystems where the machine allows.
 */
import assert from "node:assert/strict";
import { constants } from "node:fs";
import { readFile, readdir, writeFile } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { test } from "node:test";
import {
  EquipmentCacheWriter,
  WriteFailedError,
  atomicWriteFile,
  equipmentJsonPath,
  testRunsMarkerPath,
  withFileLock,
  type FileSystem,
} from "exlab-cache";
import { assertPermissionDenied, assertWriteFailed, faultyFs, refuseChanges, type FaultRule } from "../helpers/faulty-fs.js";
import { FakeClock, equipmentPayload, tempDir } from "../helpers/tmp.js";
import { settle, watchUnhandledRejections } from "../helpers/unhandled.js";

const unhandled = watchUnhandledRejections();

type Target = "writeEquipment" | "atomicWriteFile" | "writeTestRunsMarker";

interface Case {
  name: string;
  rule: (path: string) => FaultRule;
  osCode: string;
  syscall: string;
  /** Some steps exist only in the writer (the stale-temp sweep, reading the current file). */
  targets: readonly Target[];
}

const ALL: readonly Target[] = ["writeEquipment", "atomicWriteFile", "writeTestRunsMarker"];
const CASES: Case[] = [
  { name: "ENOSPC part-way through writing the temp file", rule: () => (op) => (op === "write" ? "ENOSPC" : undefined), osCode: "ENOSPC", syscall: "write", targets: ALL },
  { name: "EIO from fsync of the temp file", rule: () => (op, p) => (op === "sync" && p.endsWith(".tmp") ? "EIO" : undefined), osCode: "EIO", syscall: "fsync", targets: ALL },
  { name: "EROFS on the directory", rule: (path) => refuseChanges(dirname(path), "EROFS"), osCode: "EROFS", syscall: "open", targets: ALL },
  { name: "rename of the temp file over the target fails", rule: () => (op) => (op === "rename" ? "EIO" : undefined), osCode: "EIO", syscall: "rename", targets: ALL },
  { name: "EIO listing the folder for stale temp files", rule: () => (op) => (op === "readdir" ? "EIO" : undefined), osCode: "EIO", syscall: "readdir", targets: ["writeEquipment", "writeTestRunsMarker"] },
  { name: "EIO checking whether the marker exists", rule: () => (op) => (op === "lstat" ? "EIO" : undefined), osCode: "EIO", syscall: "lstat", targets: ["writeTestRunsMarker"] },
];

/** Set up `target`'s file, run it through `fs`, and return what to compare. */
async function setUp(root: string, target: Target): Promise<{ path: string; run: (fs: FileSystem) => Promise<unknown> }> {
  const clock = new FakeClock();
  if (target === "writeTestRunsMarker") {
    const path = testRunsMarkerPath(root, "CONFOCAL_01", "PROJ-0042");
    const payload = { project: "PROJ-0042", equipment: "CONFOCAL_01" };
    return { path, run: (fs) => new EquipmentCacheWriter({ fs, clock: clock.now }).writeTestRunsMarker(path, payload) };
  }
  const path = equipmentJsonPath(root, "CONFOCAL_01");
  await new EquipmentCacheWriter({ clock: clock.now }).writeEquipment(path, equipmentPayload());
  clock.advance(60);
  if (target === "atomicWriteFile") return { path, run: (fs) => atomicWriteFile(path, '{"replacement":true}', { fs }) };
  return { path, run: (fs) => new EquipmentCacheWriter({ fs, clock: clock.now }).writeEquipment(path, equipmentPayload({ label: "New label" })) };
}

async function readOrAbsent(path: string): Promise<Buffer | "absent"> {
  return readFile(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return "absent" as const;
    throw err;
  });
}

async function assertNoTemp(path: string): Promise<void> {
  // A first marker refused at its folder leaves no folder at all (the
  // sidecar goes through the injected fs too): nothing to look in.
  const entries = await readdir(dirname(path)).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return [];
    throw err;
  });
  const temps = entries.filter((e) => e.startsWith(`${basename(path)}.`) && e.endsWith(".tmp"));
  assert.deepEqual(temps, [], "a temp file was left behind");
}

for (const c of CASES) {
  for (const target of c.targets) {
    test(`fault: ${c.name} — ${target} rejects with write_failed naming the path, original intact, no temp file`, async (t) => {
      const root = await tempDir(t);
      const { path, run } = await setUp(root, target);
      const before = await readOrAbsent(path);
      const { fs, calls } = faultyFs(c.rule(path));
      await assert.rejects(run(fs), (err) => assertWriteFailed(err, path, c.osCode, c.syscall));
      assert.ok(calls.some((call) => call.failed !== undefined), "the fault was never injected");
      assert.deepEqual(await readOrAbsent(path), before, "the original changed");
      await assertNoTemp(path);
      await withFileLock(path, () => undefined, { timeoutMs: 0 });
      // Nothing left in the way: the same call on a healthy filesystem succeeds.
      const { run: again } = await setUp(await tempDir(t), target);
      await again(faultyFs(() => undefined).fs);
      await run(faultyFs(() => undefined).fs);
      await assertNoTemp(path);
    });
  }
}

// Permission refusals are their own error, whichever step meets them.
const REFUSALS: { name: string; rule: (path: string) => FaultRule; at: (path: string) => string; operation: string; targets: readonly Target[] }[] = [
  { name: "EACCES on the directory", rule: (path) => refuseChanges(dirname(path), "EACCES"), at: dirname, operation: "create_in_folder", targets: ALL },
  {
    name: "EACCES opening the current file to read it",
    rule: (path) => (op, p, flags) => (op === "open" && p === path && ((flags ?? 0) & constants.O_CREAT) === 0 ? "EACCES" : undefined),
    at: (path) => path,
    operation: "read_file",
    targets: ["writeEquipment"],
  },
  { name: "EACCES listing the folder", rule: () => (op) => (op === "readdir" ? "EACCES" : undefined), at: dirname, operation: "list_folder", targets: ["writeEquipment", "writeTestRunsMarker"] },
  { name: "EPERM on the rename", rule: () => (op) => (op === "rename" ? "EPERM" : undefined), at: (path) => path, operation: "replace_file", targets: ALL },
];

for (const c of REFUSALS) {
  for (const target of c.targets) {
    test(`fault: ${c.name} — ${target} rejects with permission_denied (${c.operation}), original intact, no temp file`, async (t) => {
      const root = await tempDir(t);
      const { path, run } = await setUp(root, target);
      const before = await readOrAbsent(path);
      const { fs, calls } = faultyFs(c.rule(path));
      const osCode = c.name.startsWith("EPERM") ? "EPERM" : "EACCES";
      await assert.rejects(run(fs), (err) => assertPermissionDenied(err, c.at(path), c.operation, osCode));
      assert.ok(calls.some((call) => call.failed !== undefined), "the fault was never injected");
      assert.deepEqual(await readOrAbsent(path), before, "the original changed");
      await assertNoTemp(path);
      await withFileLock(path, () => undefined, { timeoutMs: 0 });
    });
  }
}

test("fault: EIO from fsync of the directory after the rename — the new file is in place, its durability unknown, and that is reported", async (t) => {
  const root = await tempDir(t);
  const { path, run } = await setUp(root, "writeEquipment");
  const { fs } = faultyFs((op, p) => (op === "sync" && p === dirname(path) ? "EIO" : undefined));
  await assert.rejects(run(fs), (err) => assertWriteFailed(err, path, "EIO", "fsync-dir"));
  assert.equal((await new EquipmentCacheWriter().readEquipment(path)).label, "New label");
  await assertNoTemp(path);
});

test("fault: a stale temp file that cannot be removed stops the write with an error naming it, original intact", async (t) => {
  const root = await tempDir(t);
  const { path, run } = await setUp(root, "writeEquipment");
  const stale = `${path}.AbCdEf12.tmp`;
  await writeFile(stale, "left by a killed writer");
  const before = await readFile(path);
  const { fs } = faultyFs((op, p) => (op === "unlink" && p === stale ? "EACCES" : undefined));
  await assert.rejects(run(fs), (err) => assertPermissionDenied(err, dirname(stale), "create_in_folder"));
  assert.deepEqual(await readFile(path), before);
  assert.equal(await readFile(stale, "utf8"), "left by a killed writer");
});

test("fault: a corrupt file that cannot be kept aside (no hard links, then ENOSPC) is not replaced", async (t) => {
  const root = await tempDir(t);
  const { path, run } = await setUp(root, "writeEquipment");
  const corrupt = '{"schema_version":"1.0","id":';
  await writeFile(path, corrupt);
  const { fs } = faultyFs((op) => (op === "link" ? "EPERM" : op === "write" ? "ENOSPC" : undefined));
  await assert.rejects(run(fs), (err) => {
    assert.ok(err instanceof WriteFailedError && err.osCode === "ENOSPC", String(err));
    assert.match(err.path ?? "", /equipment\.json\.corrupt-/);
    return true;
  });
  assert.equal(await readFile(path, "utf8"), corrupt, "evidence of corruption was overwritten before it was kept");
  assert.deepEqual((await readdir(dirname(path))).sort(), ["equipment.json", "equipment.json.lock"]);
});

test("fault: the injected fs sees every step of a locked rewrite, sidecar included, in the order the native backend makes them", async (t) => {
  const root = await tempDir(t);
  const { path, run } = await setUp(root, "writeEquipment");
  const dir = dirname(path);
  await writeFile(`${path}.AbCdEf12.tmp`, "left by a killed writer");
  const { fs, calls } = faultyFs(() => undefined);
  await run(fs);
  const name = (p: string): string => (p === path ? "FILE" : p === `${path}.lock` ? "LOCK" : p === dir ? "DIR" : p.endsWith(".tmp") ? "TMP" : p);
  // The same order test/io-batched.test.ts sees the native backend make with strace.
  assert.deepEqual(
    calls.map((c) => `${c.op} ${name(c.path)}`),
    ["open LOCK", "readdir DIR", "unlink TMP", "open FILE", "open TMP", "write TMP", "sync TMP", "rename TMP", "open DIR", "sync DIR"],
  );
});

test("fault injection: no unhandled promise rejection", async () => {
  await settle();
  assert.deepEqual(unhandled, []);
});
