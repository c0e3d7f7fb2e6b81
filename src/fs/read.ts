/**
 * Snapshot reads with a size bound. No lock: the writers' rename is atomic,
 * so whatever inode the open lands on is one whole version of the file.
 *
 * @module
 */
import { backendFor } from "./_backend.js";
import type { FileSystem } from "./_fs.js";
import { requirePath } from "./_path.js";

/** The largest cache file this package reads: 1 MiB, far above any real record. */
export const MAX_CACHE_FILE_BYTES = 1024 * 1024;

/** Options of {@link readCacheFile}. */
export interface ReadOptions {
  /** Refuse files larger than this. @default MAX_CACHE_FILE_BYTES */
  maxBytes?: number;
  /**
   * The filesystem to use: every step then goes through it, one call at a
   * time. @default the native backend (node:fs where there is none)
   */
  fs?: FileSystem | undefined;
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
 * @throws {@link ValidationError} (field `path`) for an empty path, a non-string or a NUL byte.
 * @example
 * ```ts
 * const bytes = await readCacheFile("/data/lab/X/.exlab-wizard/equipment.json");
 * ```
 */
export async function readCacheFile(path: string, options: ReadOptions = {}): Promise<Buffer> {
  requirePath(path);
  return backendFor(options.fs).read(path, options.maxBytes ?? MAX_CACHE_FILE_BYTES);
}
