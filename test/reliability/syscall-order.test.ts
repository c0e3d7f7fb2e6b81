/**
 * Syscall order (issue 5, point 2): one real write under `strace -f` (Node
 * does its file work on libuv worker threads, hence -f), and the durability
 * recipe checked call by call: the temp file is created exclusively, written,
 * fsynced, renamed over the target, and the directory fsynced, all while the
 * sidecar is flocked, and the sidecar is never unlinked. A refactor that
 * drops an fsync or moves work outside the lock fails here.
 */
import assert from "node:assert/strict";
import { readFile, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { EquipmentCacheWriter, equipmentJsonPath, testRunsMarkerPath } from "exlab-cache";
import { finished, startChild, workerScript } from "../helpers/children.js";
import { openFlags, parseStrace, type Syscall } from "../helpers/strace.js";
import { equipmentPayload, tempDir } from "../helpers/tmp.js";
import { needs } from "../helpers/capabilities.js";

const TRACED = [
  "open", "openat", "creat", "close",
  "write", "writev", "pwrite64", "pwritev", "pwritev2",
  "fsync", "fdatasync", "sync_file_range",
  "rename", "renameat", "renameat2", "link", "linkat", "unlink", "unlinkat", "mkdir", "mkdirat",
  "flock", "lstat", "newfstatat", "statx", "fchmod", "fchown",
].join(",");
const WRITES = new Set(["write", "writev", "pwrite64", "pwritev", "pwritev2"]);
const SYNCS = new Set(["fsync", "fdatasync"]);

async function traceWorker(t: Parameters<typeof tempDir>[0], what: "equipment" | "marker", root: string): Promise<Syscall[]> {
  const out = join(await tempDir(t, "exlab-strace-"), "trace.txt");
  const args = ["-f", "-qq", "-s", "0", "-e", "signal=none", "-e", `trace=${TRACED}`, "-o", out];
  const child = startChild(t, "strace", [...args, process.execPath, workerScript("rel-strace-write"), what, root]);
  const result = await finished(child).catch((err: unknown) => {
    throw new Error(`strace could not be started (.ci/run installs Debian's strace): ${String(err)}`);
  });
  assert.equal(result.code, 0, `traced write failed: ${result.stderr}`);
  assert.equal(result.stdout, "done\n");
  return parseStrace(await readFile(out, "utf8"));
}

function one(events: Syscall[], what: string, pred: (e: Syscall) => boolean): Syscall {
  const found = events.filter(pred);
  assert.equal(found.length, 1, `expected exactly one ${what}, found ${found.length}`);
  return found[0] as Syscall;
}

function before(a: Syscall, b: Syscall, what: string): void {
  assert.ok(a.end < b.start, `${what}: ${a.name}(${a.args}) must return before ${b.name}(${b.args}) starts`);
}

/**
 * Check the replace recipe for `path` and return the events that bound the
 * lock, so callers can check that more happens inside it.
 */
function assertRecipe(events: Syscall[], path: string): { lockEx: Syscall; tmpOpen: Syscall; written: number } {
  const lockPath = `${path}.lock`;
  const dir = dirname(path);
  const sidecar = one(events, "sidecar open", (e) => e.name === "openat" && e.paths[0] === lockPath && e.ret >= 0);
  const sidecarFlags = openFlags(sidecar);
  for (const f of ["O_RDWR", "O_CREAT", "O_NOFOLLOW"]) assert.ok(sidecarFlags.has(f), `sidecar opened without ${f}`);
  assert.ok(!sidecarFlags.has("O_TRUNC"), "sidecar must not be truncated: a peer may hold it");
  const lockEx = one(events, "flock(LOCK_EX)", (e) => e.name === "flock" && e.fdPath === lockPath && /LOCK_EX/.test(e.args) && e.ret === 0);
  const unlock = one(events, "flock(LOCK_UN)", (e) => e.name === "flock" && e.fdPath === lockPath && /LOCK_UN/.test(e.args));
  before(sidecar, lockEx, "sidecar opened before it is locked");

  const tempRe = new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.[A-Za-z0-9_-]+\\.tmp$`);
  const tmpOpen = one(events, "temp-file open", (e) => e.name === "openat" && tempRe.test(e.paths[0] ?? ""));
  const tmp = tmpOpen.paths[0] ?? "";
  const tmpFlags = openFlags(tmpOpen);
  for (const f of ["O_WRONLY", "O_CREAT", "O_EXCL"]) assert.ok(tmpFlags.has(f), `temp file opened without ${f}`);
  assert.ok(tmpOpen.ret >= 0, "temp file open failed");
  const writes = events.filter((e) => WRITES.has(e.name) && e.fdPath === tmp);
  assert.ok(writes.length > 0, "nothing written to the temp file");
  const fsyncTmp = one(events, "fsync(temp)", (e) => SYNCS.has(e.name) && e.fdPath === tmp);
  const rename = one(events, "rename(temp, target)", (e) => e.name.startsWith("rename") && e.paths[0] === tmp && e.paths[1] === path);
  assert.equal(rename.ret, 0);
  const fsyncDir = events.find((e) => SYNCS.has(e.name) && e.fdPath === dir && e.start > rename.end);
  assert.ok(fsyncDir !== undefined, "the directory is not fsynced after the rename");
  const dirOpen = events.filter((e) => e.name === "openat" && e.paths[0] === dir && e.ret === fsyncDir.fd && e.end < fsyncDir.start).at(-1);
  assert.ok(dirOpen !== undefined && openFlags(dirOpen).has("O_DIRECTORY"), "the directory fsync is not on the directory itself");

  before(lockEx, tmpOpen, "lock taken before the temp file is created");
  for (const w of writes) {
    before(tmpOpen, w, "temp created before it is written");
    before(w, fsyncTmp, "every write done before fsync(temp)");
  }
  before(fsyncTmp, rename, "temp fsynced before the rename");
  before(rename, fsyncDir, "rename done before fsync(directory)");
  before(fsyncDir, unlock, "directory fsynced before the lock is released");

  // The lock is held throughout: closing any descriptor of the sidecar
  // would drop the flock, and unlinking or replacing it would let a peer
  // lock a different inode.
  const sidecarClosed = events.filter((e) => e.name === "close" && e.fdPath === lockPath);
  for (const c of sidecarClosed) assert.ok(c.start > unlock.end, "the sidecar was closed while the lock was meant to be held");
  const touchesSidecar = events.filter((e) => /^(unlink|rename|link)/.test(e.name) && e.paths.includes(lockPath));
  assert.deepEqual(touchesSidecar.map((e) => `${e.name}(${e.args})`), [], "the sidecar must never be unlinked, renamed or linked");
  assert.deepEqual(
    events.filter((e) => e.name.startsWith("unlink")).map((e) => `${e.name}(${e.args})`),
    [],
    "a clean write unlinks nothing",
  );
  return { lockEx, tmpOpen, written: writes.reduce((n, w) => n + w.ret, 0) };
}

test("strace: a rewrite of equipment.json reads, creates the temp exclusively, writes, fsyncs, renames and fsyncs the directory under flock", needs(["strace"]), async (t) => {
  const root = await tempDir(t);
  const path = equipmentJsonPath(root, "CONFOCAL_01");
  await new EquipmentCacheWriter().writeEquipment(path, equipmentPayload({ label: "before" }));
  const events = await traceWorker(t, "equipment", root);
  const { lockEx, tmpOpen, written } = assertRecipe(events, path);
  assert.equal(written, (await readFile(path)).length, "the bytes written to the temp file are the whole new file");
  // The read-modify-write is one critical section: the current file is read under the lock.
  const read = one(events, "read of the current file", (e) => e.name === "openat" && e.paths[0] === path);
  assert.ok(openFlags(read).has("O_NOFOLLOW"), "the current file is read without following a symlink");
  before(lockEx, read, "current file read under the lock");
  before(read, tmpOpen, "current file read before the new one is written");
  // The replaced file's owner and mode go on the temp before its first byte:
  // the name never shows other ones. Owner first (a chown clears set-id bits).
  // Only root can give a file away: anyone else keeps the group (-1 leaves the owner).
  const st = await stat(path);
  const tmp = tmpOpen.paths[0] ?? "";
  const chown = one(events, "fchown(temp)", (e) => e.name === "fchown" && e.fdPath === tmp);
  const uid = process.geteuid?.() === 0 ? st.uid : -1;
  assert.match(chown.args, new RegExp(`^\\d+, ${uid}, ${st.gid}$`));
  const chmod = one(events, "fchmod(temp)", (e) => e.name === "fchmod" && e.fdPath === tmp);
  assert.match(chmod.args, new RegExp(`^\\d+, 0?${(st.mode & 0o7777).toString(8)}$`));
  const firstWrite = events.find((e) => WRITES.has(e.name) && e.fdPath === tmp);
  assert.ok(firstWrite !== undefined);
  before(tmpOpen, chown, "temp created before its owner is set");
  before(chown, chmod, "owner set before the mode");
  before(chmod, firstWrite, "mode set before the first write");
});

test("strace: a first write makes each new directory durable in its parent before the file is renamed into place", needs(["strace"]), async (t) => {
  const root = await tempDir(t);
  const path = equipmentJsonPath(root, "CONFOCAL_01");
  const events = await traceWorker(t, "equipment", root);
  assertRecipe(events, path);
  // A new file keeps the mode open() gave it under the umask: nothing to copy.
  assert.deepEqual(events.filter((e) => e.name === "fchmod" || e.name === "fchown").map((e) => `${e.name}(${e.args})`), []);
  const rename = one(events, "rename", (e) => e.name.startsWith("rename"));
  const made = events.filter((e) => e.name.startsWith("mkdir") && e.ret === 0);
  assert.deepEqual(
    made.map((e) => e.paths[0]),
    [join(root, "CONFOCAL_01"), dirname(path)],
  );
  for (const m of made) {
    const parent = dirname(m.paths[0] ?? "");
    const synced = events.find((e) => SYNCS.has(e.name) && e.fdPath === parent && e.start > m.end && e.end < rename.start);
    assert.ok(synced !== undefined, `${parent} is not fsynced after ${m.paths[0]} is created`);
  }
});

test("strace: a first marker write checks for the marker under the lock, then follows the same recipe", needs(["strace"]), async (t) => {
  const root = await tempDir(t);
  const path = testRunsMarkerPath(root, "CONFOCAL_01", "PROJ-0042");
  const events = await traceWorker(t, "marker", root);
  const { lockEx, tmpOpen, written } = assertRecipe(events, path);
  const check = events.find((e) => /stat/.test(e.name) && e.paths.includes(path) && e.start > lockEx.end && e.end < tmpOpen.start);
  assert.ok(check !== undefined, "the marker's existence is not checked between taking the lock and creating the temp file");
  assert.equal(written, (await readFile(path)).length);
});
