/**
 * Appending one record to a shared file with one `write(2)` on an
 * `O_APPEND` descriptor: the kernel moves to the end and writes in one
 * step, so concurrent appenders on a local filesystem (ours, or Python's
 * `open(path, "a")` writing a line at a time) never tear or lose each
 * other's records. No lock is taken.
 *
 * @module
 */
import { constants } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import { NotRegularFileError, WriteFailedError, errnoCode } from "../errors.js";
import { nodeFileSystem, type FileSystem } from "./_fs.js";
import { requirePath } from "./_path.js";
import { ensureDirOrRefuse, writeFailure } from "./_recipe.js";

// O_NOFOLLOW: a link planted in a shared tree must not redirect the append.
// O_NONBLOCK: a FIFO in the file's place must not hang the open.
const APPEND_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** Options of {@link appendRecord}. */
export interface AppendOptions {
  /**
   * Permission bits of a new file, before the umask and default ACLs.
   * @default 0o666
   */
  mode?: number;
  /** The filesystem to use. @default node:fs */
  fs?: FileSystem | undefined;
}

async function openForAppend(fs: FileSystem, path: string, mode: number): Promise<FileHandle> {
  try {
    return await fs.open(path, APPEND_FLAGS, mode);
  } catch (err) {
    const code = errnoCode(err);
    if (code === "ELOOP") throw new NotRegularFileError(path, "symbolic link");
    if (code === "EISDIR") throw new NotRegularFileError(path, "directory");
    // A FIFO nobody reads (O_NONBLOCK write-only open), or a socket.
    if (code === "ENXIO") throw new NotRegularFileError(path, "FIFO or socket");
    if (code !== "ENOENT") throw writeFailure(path, "open", err);
  }
  // The folder is missing: create it on purpose, and make each new level
  // durable in its parent as every other write of this package does.
  await ensureDirOrRefuse(dirname(path), fs);
  try {
    return await fs.open(path, APPEND_FLAGS, mode);
  } catch (err) {
    if (errnoCode(err) === "ELOOP") throw new NotRegularFileError(path, "symbolic link");
    throw writeFailure(path, "open", err);
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
 *   folder, a FIFO or a device; nothing is written.
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
  const fs = options.fs ?? nodeFileSystem;
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  const fh = await openForAppend(fs, path, options.mode ?? 0o666);
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new NotRegularFileError(path, st.isDirectory() ? "directory" : st.isFIFO() ? "FIFO" : "special file");
    let written: number;
    try {
      ({ bytesWritten: written } = await fh.write(bytes, 0, bytes.length, null));
    } catch (err) {
      throw writeFailure(path, "write", err);
    }
    if (written !== bytes.length) {
      throw new WriteFailedError(path, "write", new Error(`short write: ${written} of ${bytes.length} bytes`));
    }
  } finally {
    await fh.close();
  }
}
