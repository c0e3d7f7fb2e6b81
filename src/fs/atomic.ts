/**
 * The crash-safe replace (§4.4.5 step 2): a reader sees the old file or the
 * new one, never a mix, and once the promise resolves the new one survives a
 * power cut.
 *
 * @module
 */
import { backendFor } from "./_backend.js";
import type { FileSystem } from "./_fs.js";
import { requirePath } from "./_path.js";

export { ensureDir, isTempFileOf, tempFileName } from "./_recipe.js";

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
 * New files get `options.mode` (0o666: the umask and default ACLs decide).
 * A rewrite keeps the replaced file's mode, and its owner and group as far
 * as the account may: root keeps both; another account keeps the group when
 * it is a member of it and becomes the owner itself. They are set on the
 * temp file before its first byte, so the name never shows other ones.
 *
 * On any failure before the rename the temp file is removed and `path` is
 * untouched. If only the final directory fsync fails the new content is in
 * place but its durability is unknown; that is reported too.
 *
 * @throws {@link PermissionDeniedError} when the folder refuses the temp file
 *   (`create_in_folder`) or the rename (`replace_file`).
 * @throws {@link WriteFailedError} naming `path`, the failed step and the OS code.
 * @throws {@link ValidationError} (field `path`) for an empty path, a non-string or a NUL byte; nothing is touched.
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
  requirePath(path);
  const mode = checkMode(options.mode ?? 0o666);
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  await backendFor(options.fs).replace(path, bytes, mode, options.durable !== false);
}
