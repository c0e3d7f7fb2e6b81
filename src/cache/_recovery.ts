/**
 * Cleaning up after others, always while holding the file's lock: temp files
 * a killed writer left behind, and a corrupt file kept aside before it is
 * replaced. Nothing is thrown away without a trace.
 */
import { basename, dirname, join } from "node:path";
import { PermissionDeniedError, WriteFailedError, errnoCode, isPermissionRefusal, type ExlabCacheError } from "../errors.js";
import { pathExists, type FileSystem } from "../fs/_fs.js";
import { atomicWriteFile, isTempFileOf } from "../fs/atomic.js";
import type { CacheWarning } from "../errors.js";

/**
 * Remove `<name>.<random>.tmp` siblings of `path`. Safe only under the lock:
 * every writer that follows the recipe creates its temp file while holding
 * it, so any temp file seen now belongs to a writer that died.
 */
export async function sweepStaleTemps(path: string, fs: FileSystem, warn: (w: CacheWarning) => void): Promise<void> {
  const dir = dirname(path);
  const name = basename(path);
  let entries: string[];
  try {
    entries = await fs.readdir(dir);
  } catch (err) {
    if (errnoCode(err) === "ENOENT") return;
    throw err;
  }
  for (const entry of entries) {
    if (!isTempFileOf(name, entry)) continue;
    const stale = join(dir, entry);
    try {
      await fs.unlink(stale);
    } catch (err) {
      const code = errnoCode(err);
      if (code === "ENOENT") continue;
      // A folder with a temp file's name is no writer's leftover (writers
      // create files): it is someone else's, left alone for `check` to
      // report, and must not stop this write. unlink(2) refuses a folder
      // with EISDIR on Linux, EPERM on macOS and BSD.
      if ((code === "EISDIR" || code === "EPERM") && (await isFolder(fs, stale))) continue;
      if (isPermissionRefusal(err)) throw new PermissionDeniedError(dir, "create_in_folder", err);
      throw new WriteFailedError(stale, "unlink", err);
    }
    warn({ code: "stale_temp_removed", path: stale, message: `Removed ${stale}, left by a writer that did not finish` });
  }
}

async function isFolder(fs: FileSystem, path: string): Promise<boolean> {
  try {
    return (await fs.lstat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** What {@link preserveCorrupt} needs besides the path. */
export interface PreserveOptions {
  /** The bytes as read, to copy out when no hard link can be made; undefined when too large to read. */
  readonly bytes: Uint8Array | undefined;
  /** Why the file is judged corrupt (goes into the warning). */
  readonly problem: ExlabCacheError;
  /** The write's timestamp, which names the kept copy. */
  readonly now: string;
  readonly fs: FileSystem;
  /** Whether a copy is fsynced. */
  readonly durable: boolean;
  /** Where the `corrupt_file_preserved` warning goes. */
  readonly warn: (w: CacheWarning) => void;
}

/**
 * Keep the current bytes of `path` as `<path>.corrupt-<timestamp>` before the
 * caller replaces it: by hard link when the filesystem allows (no copy, the
 * very inode), else by writing `bytes` out. The caller's directory fsync after
 * its rename makes the new name durable along with the replacement.
 *
 * @throws {@link WriteFailedError} when the bytes cannot be kept; the caller
 *   must then not replace the file.
 */
export async function preserveCorrupt(path: string, options: PreserveOptions): Promise<string> {
  const { bytes, problem, now, fs, durable, warn } = options;
  const stem = `${path}.corrupt-${now.replaceAll(":", "-")}`;
  for (let n = 1; ; n++) {
    const target = n === 1 ? stem : `${stem}-${n}`;
    try {
      await fs.link(path, target);
    } catch (err) {
      const code = errnoCode(err);
      if (code === "EEXIST" && n < 1000) continue;
      // EPERM from link() means "no hard links here" (FAT, some shares): copy instead.
      if (code === "EACCES") throw new PermissionDeniedError(dirname(path), "create_in_folder", err);
      if (bytes === undefined || code === "EEXIST") throw new WriteFailedError(target, "link", err);
      if (await pathExists(fs, target)) continue;
      await atomicWriteFile(target, bytes, { durable, fs });
    }
    warn({
      code: "corrupt_file_preserved",
      path,
      preservedAt: target,
      problem,
      message: `${path} was unreadable (${problem.message}); its bytes were kept as ${target} and the file was rewritten`,
    });
    return target;
  }
}
