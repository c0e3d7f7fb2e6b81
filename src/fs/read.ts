/**
 * Snapshot reads with a size bound. No lock: the writers' rename is atomic,
 * so whatever inode the open lands on is one whole version of the file.
 *
 * @module
 */
import { constants } from "node:fs";
import { FileTooLargeError, NotRegularFileError, errnoCode } from "../errors.js";
import { nodeFileSystem, type FileSystem } from "./_fs.js";
import { ioBackend, systemError, type IoBackend } from "./_native.js";

/** The largest cache file this package reads: 1 MiB, far above any real record. */
export const MAX_CACHE_FILE_BYTES = 1024 * 1024;

const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** Options of {@link readCacheFile}. */
export interface ReadOptions {
  /** Refuse files larger than this. @default MAX_CACHE_FILE_BYTES */
  maxBytes?: number;
  /** The filesystem to use. @default Node's `fs/promises` */
  fs?: FileSystem;
}

const KIND_DIRECTORY = 1;
const KIND_SPECIAL = 2;
const KIND_TOO_LARGE = 3;

/**
 * {@link readCacheFile} as one job on the thread pool (native/io_posix.c runs open,
 * fstat, read, close): same steps and errors as the node:fs path below, one
 * trip to the pool instead of four.
 */
async function readInOneJob(readFile: NonNullable<IoBackend["readFile"]>, path: string, maxBytes: number): Promise<Buffer> {
  const r = await readFile(path, maxBytes);
  if (r.errno !== 0) {
    const err = systemError(r.errno, r.step, path);
    if (r.step === "open" && err.code === "ELOOP") throw new NotRegularFileError(path, "symbolic link");
    throw err;
  }
  if (r.kind === KIND_DIRECTORY) throw new NotRegularFileError(path, "directory");
  if (r.kind === KIND_SPECIAL) throw new NotRegularFileError(path, "special file");
  if (r.kind === KIND_TOO_LARGE) throw new FileTooLargeError(path, r.size, maxBytes);
  return r.data ?? Buffer.alloc(0);
}

/**
 * Read a whole cache file, refusing anything but a regular file of at most
 * `maxBytes`. A final symbolic link is refused rather than followed (a cache
 * file is never a link; one there points somewhere we should not read).
 * `O_NONBLOCK` keeps a FIFO planted at the path from hanging the read.
 *
 * @throws Node's own `ENOENT` error when the file does not exist.
 * @throws {@link NotRegularFileError} for a symlink, directory, FIFO...
 * @throws {@link FileTooLargeError} past `maxBytes`.
 * @example
 * ```ts
 * const bytes = await readCacheFile("/data/lab/X/.exlab-wizard/equipment.json");
 * ```
 */
export async function readCacheFile(path: string, options: ReadOptions = {}): Promise<Buffer> {
  const fs = options.fs ?? nodeFileSystem;
  const maxBytes = options.maxBytes ?? MAX_CACHE_FILE_BYTES;
  // An injected FileSystem sees every call; Node's own goes the short way.
  const io = fs === nodeFileSystem ? ioBackend() : undefined;
  // Windows has no batched read (io_win32.c): node:fs does the same steps there.
  if (io?.readFile !== undefined && maxBytes >= 0) return readInOneJob(io.readFile, path, maxBytes);
  let fh;
  try {
    fh = await fs.open(path, READ_FLAGS);
  } catch (err) {
    if (errnoCode(err) === "ELOOP") throw new NotRegularFileError(path, "symbolic link");
    throw err;
  }
  try {
    const st = await fh.stat();
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
