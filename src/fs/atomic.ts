/**
 * The crash-safe replace (§4.4.5 step 2): a reader sees the old file or the
 * new one, never a mix, and once the promise resolves the new one survives a
 * power cut.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { PermissionDeniedError, WriteFailedError, errnoCode, isPermissionRefusal } from "../errors.js";
import { nodeFileSystem, pathExists, type FileSystem } from "./_fs.js";
import { ioBackend, systemError, type IoBackend } from "./_native.js";
import { asLongJob } from "./_pool.js";

/** Options of {@link atomicWriteFile}. */
export interface AtomicWriteOptions {
  /**
   * fsync the temp file before the rename and the directory after it. Turn
   * off only for scratch data: without it a power cut can lose the write.
   * @default true
   */
  durable?: boolean;
  /**
   * Permission bits of a new file, before the umask and default ACLs. A
   * rewrite keeps the existing file's mode (and owner and group, see
   * {@link atomicWriteFile}) whatever this says.
   * @default 0o666
   */
  mode?: number;
  /** The filesystem to use. @default Node's `fs/promises` */
  fs?: FileSystem;
}

const TEMP_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL;
const DIR_FLAGS = constants.O_RDONLY | (constants.O_DIRECTORY ?? 0);
// Windows cannot fsync a directory handle (FlushFileBuffers needs write
// access and fails with EPERM); NTFS journals the rename itself.
const DIR_FSYNC = process.platform !== "win32";

/** The temp-file name pattern for `name`: `<name>.<random>.tmp`. */
export function tempFileName(name: string): string {
  return `${name}.${randomBytes(6).toString("base64url")}.tmp`;
}

/**
 * Whether `entry` is a temp file some writer of `name` made
 * (`<name>.<random>.tmp`; the random part has no dots). This matches our own
 * names and those of Python's `tempfile.mkstemp(prefix=name + ".", suffix=".tmp")`.
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

/** Step names reported in {@link WriteFailedError.syscall}. */
type Step = "mkdir" | "open" | "write" | "fsync" | "close" | "rename" | "fsync-dir";

/**
 * The recipe of {@link atomicWriteFile} with each attempt as one job on the
 * thread pool (native/io_posix.c runs open temp O_EXCL, write, fsync, close,
 * rename, fsync dir, and removes the temp file on a failure before the
 * rename). Same steps, same order, same errors as the node:fs path below; a
 * trip to the pool per attempt instead of nine, and never so many at once
 * that other fs calls of the process queue behind them (see _pool.ts).
 */
async function replaceInOneJob(io: IoBackend, path: string, data: string | Uint8Array, mode: number, durable: boolean, fs: FileSystem): Promise<void> {
  const dir = dirname(path);
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  for (let attempt = 0; ; attempt++) {
    const tmp = join(dir, tempFileName(basename(path)));
    // The job itself keeps the replaced file's owner, group and mode (see existingAttributes).
    const r = await asLongJob(() => io.replaceFile(tmp, path, dir, bytes, mode, durable));
    if (r.errno === 0) return;
    const step = r.step as Step;
    const err = step === "fsync-dir" ? systemError(r.errno, "fsync", dir) : systemError(r.errno, step, tmp);
    if (step === "open" && err.code === "ENOENT" && attempt === 0) {
      try {
        await ensureDir(dir, fs, durable);
      } catch (mkdirErr) {
        throw writeFailure(path, "mkdir", mkdirErr);
      }
    } else if (step !== "open" || err.code !== "EEXIST" || attempt > 8) {
      throw writeFailure(path, step, err);
    }
  }
}

/** What a rewrite keeps of the file it replaces. */
interface Kept {
  mode: number;
  /** -1: leave as created. */
  uid: number;
  gid: number;
}

/**
 * The mode, owner and group a rewrite of `path` must give its temp file, or
 * undefined when there is no regular file to keep them from. Root keeps the
 * owner and group. Any other account can only give away a file's group, and
 * only to a group it is in: it keeps the group where it can and becomes the
 * owner itself (the kernel makes the creator the owner). native/io_posix.c
 * does the same in its job.
 */
async function existingAttributes(fs: FileSystem, path: string): Promise<Kept | undefined> {
  let st;
  try {
    st = await fs.lstat(path);
  } catch {
    // Absent (a first write), or not even examinable: the temp-file open
    // that follows meets the same refusal and reports it.
    return undefined;
  }
  if (!st.isFile()) return undefined;
  const mode = st.mode & 0o7777;
  const euid = process.geteuid?.();
  if (euid === undefined) return { mode, uid: -1, gid: -1 };
  if (euid === 0) return { mode, uid: st.uid, gid: st.gid };
  const member = process.getegid?.() === st.gid || (process.getgroups?.() ?? []).includes(st.gid);
  return { mode, uid: -1, gid: member ? st.gid : -1 };
}

/**
 * A failed step as the error callers get: a permission refusal is
 * {@link PermissionDeniedError} (the folder refused the temp file or the
 * rename), anything else {@link WriteFailedError}.
 */
function writeFailure(path: string, step: Step, err: unknown): Error {
  if (isPermissionRefusal(err)) {
    if (step === "rename") return new PermissionDeniedError(path, "replace_file", err);
    if (step === "open") return new PermissionDeniedError(dirname(path), "create_in_folder", err);
    // Name the folder that refused: the parent of the level that could not be made.
    const refusedIn = (err as NodeJS.ErrnoException).path;
    if (step === "mkdir") return new PermissionDeniedError(refusedIn === undefined ? dirname(path) : dirname(refusedIn), "create_in_folder", err);
  }
  return new WriteFailedError(path, step, err);
}

/**
 * Replace `path` with `data` atomically and durably: write a uniquely named
 * temp file beside it (created with `O_EXCL`), fsync it, close it, rename it
 * over `path`, then fsync the directory so the rename itself is on disk.
 * Missing parent directories are created (durably). Takes no lock: wrap it in
 * {@link withFileLock} when writers may race.
 *
 * New files get `options.mode` (0o666: the umask and default ACLs decide).
 * A rewrite keeps the replaced file's mode, and its owner and group as far
 * as the account may: root keeps both; another account keeps the group when
 * it is a member of it and becomes the owner itself. They are set on the
 * temp file before the rename, so the name never shows other ones.
 *
 * On any failure before the rename the temp file is removed and `path` is
 * untouched. If only the final directory fsync fails the new content is in
 * place but its durability is unknown; that is reported too.
 *
 * @throws {@link PermissionDeniedError} when the folder refuses the temp file
 *   (`create_in_folder`) or the rename (`replace_file`).
 * @throws {@link WriteFailedError} naming `path`, the failed step and the OS code.
 * @example
 * ```ts
 * await atomicWriteFile("/data/lab/X/.exlab-wizard/notes.json", '{"a":1}');
 * ```
 */
export async function atomicWriteFile(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const fs = options.fs ?? nodeFileSystem;
  const durable = options.durable !== false;
  const mode = options.mode ?? 0o666;
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) {
    throw new TypeError(`Expected \`mode\` to be permission bits (an integer from 0 to 0o7777), got \`${String(mode)}\``);
  }
  // An injected FileSystem sees every call; Node's own goes the short way.
  const io = fs === nodeFileSystem ? ioBackend() : undefined;
  if (io !== undefined) return replaceInOneJob(io, path, data, mode, durable, fs);
  const dir = dirname(path);
  const name = basename(path);

  let step: Step = "open";
  let tmp = "";
  let fh: FileHandle | undefined;
  const keep = await existingAttributes(fs, path);
  try {
    // Open the temp file first and create the directory only when that
    // fails: the directory almost always exists, and this saves a syscall.
    for (let attempt = 0; fh === undefined; attempt++) {
      const candidate = join(dir, tempFileName(name));
      try {
        fh = await fs.open(candidate, TEMP_FLAGS, mode);
        tmp = candidate; // ours from here on: remove it on failure
      } catch (err) {
        const code = errnoCode(err);
        if (code === "ENOENT" && attempt === 0) {
          step = "mkdir";
          await ensureDir(dir, fs, durable);
          step = "open";
        } else if (code !== "EEXIST" || attempt > 8) {
          throw err;
        }
      }
    }
    if (keep !== undefined) {
      // As in native/io_posix.c: owner before mode, both best effort.
      if (keep.uid !== -1 || keep.gid !== -1) await fh.chown(keep.uid, keep.gid).catch(() => undefined);
      await fh.chmod(keep.mode).catch(() => undefined);
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
