/**
 * The pieces of the write recipe both backends share: temp-file names,
 * creating folders durably, the errors a step reports, and the replace and
 * bounded read over a {@link FileSystem}, one call at a time (what the
 * node:fs backend runs; native/io_posix.c runs the same steps in one job).
 */
import { randomBytes } from "node:crypto";
import { constants, type Stats } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { FileTooLargeError, LockError, NotRegularFileError, PermissionDeniedError, WriteFailedError, errnoCode, isPermissionRefusal } from "../errors.js";
import { pathExists, type FileSystem } from "./_fs.js";
import { errnoName } from "./_native.js";

const TEMP_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL;
const DIR_FLAGS = constants.O_RDONLY | (constants.O_DIRECTORY ?? 0);
const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
/**
 * Windows cannot fsync a directory handle (FlushFileBuffers needs write
 * access and fails with EPERM); NTFS journals the rename itself.
 */
export const DIR_FSYNC = process.platform !== "win32";
/** How many temp names to try before giving up on EEXIST. */
export const TEMP_ATTEMPTS = 9;

/** Step names reported in {@link WriteFailedError.syscall}. */
export type Step = "mkdir" | "open" | "write" | "fsync" | "close" | "rename" | "fsync-dir";

/** The temp-file name pattern for `name`: `<name>.<random>.tmp`. */
export function tempFileName(name: string): string {
  return `${name}.${randomBytes(6).toString("base64url")}.tmp`;
}

/** A fresh temp path beside `path`. */
export function tempPathFor(path: string): string {
  return join(dirname(path), tempFileName(basename(path)));
}

/**
 * Whether `entry` is a temp file some writer of `name` made
 * (`<name>.<random>.tmp`; the random part has no dots). This matches our own
 * names and those of Python's `tempfile.mkstemp(prefix=name + ".", suffix=".tmp")`.
 * native/pipeline_posix.c applies the same rule.
 */
export function isTempFileOf(name: string, entry: string): boolean {
  if (!entry.startsWith(`${name}.`) || !entry.endsWith(".tmp")) return false;
  const middle = entry.slice(name.length + 1, -4);
  return middle.length > 0 && /^[A-Za-z0-9_-]+$/.test(middle);
}

async function fsyncDir(fs: FileSystem, dir: string): Promise<void> {
  const fh = await fs.open(dir, DIR_FLAGS);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Create `dir` and any missing parents; when durable, fsync the parent of
 * each directory created so the new entries survive a power cut.
 */
export async function ensureDir(dir: string, fs: FileSystem, durable: boolean): Promise<void> {
  let first: string | undefined;
  try {
    first = await fs.mkdir(dir, { recursive: true });
  } catch (err) {
    // Node's recursive mkdir reports ENOENT whatever stopped it (on a
    // read-only mount, EROFS becomes "no such file or directory"). Creating
    // the missing levels one by one surfaces the real reason.
    if (errnoCode(err) !== "ENOENT") throw err;
    first = await mkdirEachLevel(dir, fs);
  }
  if (!durable || !DIR_FSYNC) return;
  // Another process may have won the race to create `dir` and not have made
  // its entry durable yet; syncing the parent again is cheap and rare.
  if (first === undefined) return fsyncDir(fs, dirname(dir));
  // Every directory from `first` down to `dir` is new: make each entry durable
  // in its parent, deepest last.
  const chain: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    chain.unshift(d);
    if (d === first || dirname(d) === d) break;
  }
  for (const d of chain) await fsyncDir(fs, dirname(d));
}

/** Create the missing directories of `dir` one level at a time; returns the topmost one created. */
async function mkdirEachLevel(dir: string, fs: FileSystem): Promise<string | undefined> {
  const missing: string[] = [];
  for (let d = dir; !(await pathExists(fs, d)); d = dirname(d)) {
    missing.unshift(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing) {
    try {
      await fs.mkdir(d);
    } catch (err) {
      if (errnoCode(err) !== "EEXIST") throw err;
    }
  }
  return missing[0];
}

/** What a rewrite keeps of the file it replaces: `st_mode`, `st_uid`, `st_gid`. */
export interface FileStat {
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
}

/**
 * The owner and group (-1: leave as created) and mode a rewrite gives its
 * temp file. Root keeps the owner and group. Any other account can only
 * give away a file's group, and only to a group it is in: it keeps the group
 * where it can and becomes the owner itself (the kernel makes the creator
 * the owner). native/io_posix.c decides the same.
 */
function kept(st: FileStat): FileStat {
  const mode = st.mode & 0o7777;
  const euid = process.geteuid?.();
  if (euid === undefined) return { mode, uid: -1, gid: -1 };
  if (euid === 0) return { mode, uid: st.uid, gid: st.gid };
  const member = process.getegid?.() === st.gid || (process.getgroups?.() ?? []).includes(st.gid);
  return { mode, uid: -1, gid: member ? st.gid : -1 };
}

/**
 * The stat of the regular file at `path` a rewrite keeps, or undefined when
 * there is none (a first write) or it cannot be examined (the temp-file open
 * that follows meets the same refusal and reports it).
 */
export async function statToKeep(fs: FileSystem, path: string): Promise<FileStat | undefined> {
  try {
    const st = await fs.lstat(path);
    return st.isFile() ? { mode: st.mode, uid: st.uid, gid: st.gid } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A failed replace step as the error callers get: a permission refusal is
 * {@link PermissionDeniedError} (the folder refused the temp file or the
 * rename), anything else {@link WriteFailedError}.
 */
export function writeFailure(path: string, step: Step, err: unknown): Error {
  if (isPermissionRefusal(err)) {
    if (step === "rename") return new PermissionDeniedError(path, "replace_file", err);
    if (step === "open") return new PermissionDeniedError(dirname(path), "create_in_folder", err);
    // Name the folder that refused: the parent of the level that could not be made.
    const refusedIn = (err as NodeJS.ErrnoException).path;
    if (step === "mkdir") return new PermissionDeniedError(refusedIn === undefined ? dirname(path) : dirname(refusedIn), "create_in_folder", err);
  }
  return new WriteFailedError(path, step, err);
}

/** Create the sidecar's folder (durably); a refusal is a permission error naming the folder that refused. */
export async function ensureDirOrRefuse(dir: string, fs: FileSystem): Promise<void> {
  try {
    await ensureDir(dir, fs, true);
  } catch (err) {
    // The parent of the level that could not be made.
    const refusedIn = (err as NodeJS.ErrnoException).path;
    if (isPermissionRefusal(err)) throw new PermissionDeniedError(refusedIn === undefined ? dir : dirname(refusedIn), "create_in_folder", err);
    throw err;
  }
}

/** The error for a stale temp file that cannot be removed. */
export function staleTempError(stale: string, err: unknown): Error {
  if (isPermissionRefusal(err)) return new PermissionDeniedError(dirname(stale), "create_in_folder", err);
  return new WriteFailedError(stale, "unlink", err);
}

/** The error for a sidecar that cannot be opened. */
export function sidecarOpenError(lockPath: string, err: unknown): LockError {
  const code = errnoCode(err);
  const reason = code === "ELOOP" ? "the sidecar is a symbolic link" : (err as Error).message;
  return new LockError(lockPath, reason, { cause: err, ...(code === undefined ? {} : { osCode: code }) });
}

/** A LockError for an errno the backend reported, named (ESTALE, not 116) and kept as `os_code`. */
export function osLockError(lockPath: string, what: string, errno: number): LockError {
  const name = errnoName(errno);
  return new LockError(lockPath, `${what} (${name})`, { osCode: name });
}

/** The error for an inode re-check that could not be made. */
export function sameFileError(lockPath: string, errno: number): LockError {
  return errnoName(errno) === "EINVAL" ? new LockError(lockPath, "the sidecar is not a regular file") : osLockError(lockPath, "cannot check the sidecar", errno);
}

/**
 * The pauses of a wait that polls: from 1 ms, doubling, up to 10 ms (50 ms on
 * Windows, where every wait polls): quick for a short hold, cheap for a long one.
 */
export function* pollPauses(): Generator<number, never> {
  const max = process.platform === "win32" ? 50 : 10;
  for (let pause = 1; ; pause = Math.min(pause * 2, max)) yield pause;
}

/**
 * The replace recipe, one call at a time: open the temp file `O_EXCL`, give
 * it the owner, group and mode of `keep` (the file it replaces), write,
 * fsync, close, rename over `path`, fsync the folder. On a failure before
 * the rename the temp file is removed. With `mkdirs`, a missing folder is
 * created (durably) on the first ENOENT.
 *
 * @throws {@link PermissionDeniedError} or {@link WriteFailedError} naming `path`, the failed step and the OS code.
 */
export async function replaceWith(
  fs: FileSystem,
  path: string,
  data: Uint8Array,
  mode: number,
  durable: boolean,
  mkdirs: boolean,
  keep: FileStat | undefined,
): Promise<void> {
  const dir = dirname(path);
  let step: Step = "open";
  let tmp = "";
  let fh: FileHandle | undefined;
  try {
    // Open the temp file first and create the directory only when that
    // fails: the directory almost always exists, and this saves a syscall.
    for (let attempt = 0; fh === undefined; attempt++) {
      const candidate = tempPathFor(path);
      try {
        fh = await fs.open(candidate, TEMP_FLAGS, mode);
        tmp = candidate; // ours from here on: remove it on failure
      } catch (err) {
        const code = errnoCode(err);
        if (code === "ENOENT" && attempt === 0 && mkdirs) {
          step = "mkdir";
          await ensureDir(dir, fs, durable);
          step = "open";
        } else if (code !== "EEXIST" || attempt >= TEMP_ATTEMPTS - 1) {
          throw err;
        }
      }
    }
    if (keep !== undefined) {
      // As in native/io_posix.c: owner before mode (a chown clears set-id
      // bits), both best effort (FAT, exFAT and SMB have neither).
      const k = kept(keep);
      if (k.uid !== -1 || k.gid !== -1) await fh.chown(k.uid, k.gid).catch(() => undefined);
      await fh.chmod(k.mode).catch(() => undefined);
    }
    step = "write";
    await fh.writeFile(data);
    if (durable) {
      step = "fsync";
      await fh.sync();
    }
    step = "close";
    const closing = fh;
    fh = undefined;
    await closing.close();
    step = "rename";
    await fs.rename(tmp, path);
    tmp = "";
    if (durable && DIR_FSYNC) {
      step = "fsync-dir";
      await fsyncDir(fs, dir);
    }
  } catch (err) {
    if (fh !== undefined) await fh.close().catch(() => undefined);
    if (tmp !== "") await fs.unlink(tmp).catch(() => undefined);
    throw writeFailure(path, step, err);
  }
}

/**
 * The bounded read, one call at a time: open without following a final
 * symlink (`O_NONBLOCK` so a FIFO cannot hang it), fstat, read to the size.
 * `onStat` gets the fstat as soon as it is taken.
 *
 * @throws Node's `ENOENT` error; {@link NotRegularFileError}; {@link FileTooLargeError}.
 */
export async function readWith(fs: FileSystem, path: string, maxBytes: number, onStat?: (st: Stats) => void): Promise<Buffer> {
  let fh;
  try {
    fh = await fs.open(path, READ_FLAGS);
  } catch (err) {
    if (errnoCode(err) === "ELOOP") throw new NotRegularFileError(path, "symbolic link");
    throw err;
  }
  try {
    const st = await fh.stat();
    onStat?.(st);
    if (!st.isFile()) throw new NotRegularFileError(path, st.isDirectory() ? "directory" : "special file");
    if (st.size > maxBytes) throw new FileTooLargeError(path, st.size, maxBytes);
    // Read until end of file, one byte past the bound at most, so a file that
    // grew since the stat is neither cut short nor read without limit.
    let buf = Buffer.allocUnsafe(Math.min(st.size, maxBytes) + 1);
    let len = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, len, buf.length - len, len);
      if (bytesRead === 0) break;
      len += bytesRead;
      if (len > maxBytes) throw new FileTooLargeError(path, len, maxBytes);
      // Writers replace cache files by rename and never change an inode in
      // place, so having read the size fstat gave is having read it all.
      if (len === st.size) break;
      if (len === buf.length) {
        const bigger = Buffer.allocUnsafe(Math.min(buf.length * 2, maxBytes + 1));
        buf.copy(bigger, 0, 0, len);
        buf = bigger;
      }
    }
    return buf.subarray(0, len);
  } finally {
    await fh.close();
  }
}
