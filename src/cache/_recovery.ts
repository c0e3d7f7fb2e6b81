/**
 * Cleaning up after others, always while holding the file's lock: a corrupt
 * file kept aside before it is replaced. Nothing is thrown away without a
 * trace. (Temp files a killed writer left behind are swept by the lock step
 * itself; see src/fs/_backend.ts.)
 */
import { dirname } from "node:path";
import { PermissionDeniedError, WriteFailedError, errnoCode, type ExlabCacheError } from "../errors.js";
import { nodeFileSystem, pathExists, type FileSystem } from "../fs/_fs.js";
import { atomicWriteFile } from "../fs/atomic.js";
import type { CacheWarning } from "./writer.js";

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
export async function preserveCorrupt(
  path: string,
  bytes: Uint8Array | undefined,
  problem: ExlabCacheError,
  now: string,
  fs: FileSystem | undefined,
  durable: boolean,
  warn: (w: CacheWarning) => void,
): Promise<string> {
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
