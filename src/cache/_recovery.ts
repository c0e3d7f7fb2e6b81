/**
 * Cleaning up after others, always while holding the file's lock: a corrupt
 * file kept aside before it is replaced. Nothing is thrown away without a
 * trace. (Temp files a killed writer left behind are swept by the lock step
 * itself; see src/fs/_backend.ts.)
 */
import { dirname } from "node:path";
import { PermissionDeniedError, WriteFailedError, errnoCode, type CacheWarning, type ExlabCacheError } from "../errors.js";
import { nodeFileSystem, pathExists, type FileSystem } from "../fs/_fs.js";
import { atomicWriteFile } from "../fs/atomic.js";

/** What {@link preserveCorrupt} needs besides the path. */
export interface PreserveOptions {
  /** The bytes as read, to copy out when no hard link can be made; undefined when too large to read. */
  readonly bytes: Uint8Array | undefined;
  /** Why the file is judged corrupt (goes into the warning). */
  readonly problem: ExlabCacheError;
  /** The write's timestamp, which names the kept copy. */
  readonly now: string;
  /** The injected filesystem, if any. @default Node's */
  readonly fs: FileSystem | undefined;
  /** Whether a copy is fsynced. */
  readonly durable: boolean;
  /** Where the `corrupt_file_preserved` warning goes. */
  readonly warn: (w: CacheWarning) => void;
}

/**
 * Keep the current bytes of `path` as `<path>.corrupt-<timestamp>` before the
 * caller replaces it: by hard link when the filesystem allows (no copy, the
 * very inode), else by writing `bytes` out. The caller's directory fsync after
 * its rename makes the new name durable along with the replacement. `fs`
 * is the writer's own (undefined: Node's, and the native replace).
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
      await (fs ?? nodeFileSystem).link(path, target);
    } catch (err) {
      const code = errnoCode(err);
      if (code === "EEXIST" && n < 1000) continue;
      // EPERM from link() means "no hard links here" (FAT, some shares): copy instead.
      if (code === "EACCES") throw new PermissionDeniedError(dirname(path), "create_in_folder", err);
      if (bytes === undefined || code === "EEXIST") throw new WriteFailedError(target, "link", err);
      if (await pathExists(fs ?? nodeFileSystem, target)) continue;
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
