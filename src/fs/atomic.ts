/**
 * The crash-safe replace (§4.4.5 step 2): a reader sees the old file or the
 * new one, never a mix, and once the promise resolves the new one survives a
 * power cut.
 *
 * @module
 */
import { backendFor } from "./_backend.js";
import type { FileSystem } from "./_fs.js";

export { ensureDir, isTempFileOf, tempFileName } from "./_recipe.js";

/** Options of {@link atomicWriteFile}. */
export interface AtomicWriteOptions {
  /**
   * fsync the temp file before the rename and the directory after it. Turn
   * off only for scratch data: without it a power cut can lose the write.
   * @default true
   */
  durable?: boolean;
  /** Permission bits of a new file (before the umask). @default 0o644 */
  mode?: number;
  /**
   * The filesystem to use: every step then goes through it, one call at a
   * time. @default the native backend (node:fs where there is none)
   */
  fs?: FileSystem | undefined;
}

/** `mode`, checked to be permission bits. */
function checkMode(mode: number): number {
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) {
    throw new TypeError(`Expected \`mode\` to be permission bits (an integer from 0 to 0o7777), got \`${String(mode)}\``);
  }
  return mode;
}

/**
 * Replace `path` with `data` atomically and durably: write a uniquely named
 * temp file beside it (created with `O_EXCL`), fsync it, close it, rename it
 * over `path`, then fsync the directory so the rename itself is on disk.
 * Missing parent directories are created (durably). Takes no lock: wrap it in
 * {@link withFileLock} when writers may race.
 *
 * On any failure before the rename the temp file is removed and `path` is
 * untouched. If only the final directory fsync fails the new content is in
 * place but its durability is unknown; that is reported too.
 *
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
  const mode = checkMode(options.mode ?? 0o644);
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  await backendFor(options.fs).replace(path, bytes, mode, options.durable !== false);
}
