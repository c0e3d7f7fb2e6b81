/**
 * Appending one record to a shared file with one `write(2)` on an
 * `O_APPEND` descriptor: the kernel moves to the end and writes in one
 * step, so concurrent appenders on a local filesystem (ours, or Python's
 * `open(path, "a")` writing a line at a time) never tear or lose each
 * other's records. No lock is taken.
 *
 * @module
 */
import { close, constants, open, write } from "node:fs";
import { dirname } from "node:path";
import { NotRegularFileError, WriteFailedError, errnoCode } from "../errors.js";
import { nodeFileSystem } from "./_fs.js";
import { requirePath } from "./_path.js";
import { ensureDirOrRefuse, writeFailure } from "./_recipe.js";

// O_NOFOLLOW: a link planted in a shared tree must not redirect the append.
// O_NONBLOCK: a FIFO in the file's place must not hang the open (it fails
// with ENXIO when nobody reads it). A folder fails with EISDIR. So the open
// alone refuses what is not a file, without an fstat: each step is a hop to
// the thread pool, and an append is three of them (open, write, close).
const APPEND_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** Options of {@link appendRecord}. */
export interface AppendOptions {
  /**
   * Permission bits of a new file, before the umask and default ACLs.
   * @default 0o666
   */
  mode?: number;
}

// The callback API: a FileHandle costs a promise and a finalizer per append.
const openFd = (path: string, mode: number): Promise<number> => new Promise((res, rej) => open(path, APPEND_FLAGS, mode, (e, fd) => (e === null ? res(fd) : rej(e))));
const writeFd = (fd: number, bytes: Uint8Array): Promise<number> => new Promise((res, rej) => write(fd, bytes, 0, bytes.length, null, (e, n) => (e === null ? res(n) : rej(e))));
const closeFd = (fd: number): Promise<void> => new Promise((res, rej) => close(fd, (e) => (e === null ? res() : rej(e))));

function refusal(path: string, err: unknown): Error | undefined {
  const code = errnoCode(err);
  if (code === "ELOOP") return new NotRegularFileError(path, "symbolic link");
  if (code === "EISDIR") return new NotRegularFileError(path, "directory");
  if (code === "ENXIO") return new NotRegularFileError(path, "FIFO or socket");
  return undefined;
}

async function openForAppend(path: string, mode: number): Promise<number> {
  try {
    return await openFd(path, mode);
  } catch (err) {
    const refused = refusal(path, err);
    if (refused !== undefined) throw refused;
    if (errnoCode(err) !== "ENOENT") throw writeFailure(path, "open", err);
  }
  // The folder is missing: create it on purpose, and make each new level
  // durable in its parent as every other write of this package does.
  await ensureDirOrRefuse(dirname(path), nodeFileSystem);
  try {
    return await openFd(path, mode);
  } catch (err) {
    throw refusal(path, err) ?? writeFailure(path, "open", err);
  }
}

/**
 * Append `data` to `path` with a single `write(2)` on an `O_APPEND`
 * descriptor, creating the file (mode 0o666 less the umask) and its missing
 * folders (each fsynced into its parent) when needed. The file is not
 * fsynced, as the application does not. A short write (a full disk) is an
 * error, never silently half a record.
 *
 * @throws {@link NotRegularFileError} when `path` is a symbolic link, a
 *   folder, or a FIFO nobody reads; nothing is written.
 * @throws {@link PermissionDeniedError} when the folder refuses the file.
 * @throws {@link WriteFailedError} for any other failure (`ENOSPC`, `EROFS`,
 *   a short write: step `write`).
 * @throws {@link ValidationError} for an empty path or one with a NUL byte.
 * @example
 * ```ts
 * await appendRecord("/data/lab/CONFOCAL_01/.exlab-wizard/notes.txt", "one line\n");
 * ```
 */
export async function appendRecord(path: string, data: string | Uint8Array, options: AppendOptions = {}): Promise<void> {
  requirePath(path);
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  const fd = await openForAppend(path, options.mode ?? 0o666);
  try {
    let written: number;
    try {
      written = await writeFd(fd, bytes);
    } catch (err) {
      throw writeFailure(path, "write", err);
    }
    if (written !== bytes.length) {
      throw new WriteFailedError(path, "write", new Error(`short write: ${written} of ${bytes.length} bytes`));
    }
  } finally {
    await closeFd(fd);
  }
}
