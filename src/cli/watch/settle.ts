/**
 * Reading a config only once it has stopped changing.
 *
 * An editor, a script or a copy over the network may write a file in
 * several steps; a file caught between two of them can be valid YAML that
 * says something else (`label: Confocal Micr`). A read is trusted only when
 * a second read, a quiet period later, finds the same bytes from the same
 * version of the file (same inode, size, modification and change times).
 *
 * @module
 */
import { ExlabCacheError } from "../../errors.js";
import { readConfigSnapshot, type ConfigSnapshot } from "../../config/_file.js";

/** What one read found: the file, or why it could not be read. */
export type ConfigRead = { readonly snapshot: ConfigSnapshot; readonly error?: undefined } | { readonly snapshot?: undefined; readonly error: ExlabCacheError };

/**
 * Whether two reads found the same thing: the same bytes of the same
 * version of the file, or the same error. A read that overlapped a write
 * is like no other.
 *
 * @example
 * ```ts
 * if (sameRead(first, second)) use(second);
 * ```
 */
export function sameRead(a: ConfigRead, b: ConfigRead): boolean {
  if (a.error !== undefined || b.error !== undefined) {
    return a.error !== undefined && b.error !== undefined && a.error.code === b.error.code && a.error.message === b.error.message;
  }
  const [x, y] = [a.snapshot, b.snapshot];
  return !x.torn && !y.torn && x.identity === y.identity && x.bytes.equals(y.bytes);
}

async function readOnce(file: string): Promise<ConfigRead> {
  try {
    return { snapshot: await readConfigSnapshot(file) };
  } catch (err) {
    if (err instanceof ExlabCacheError) return { error: err };
    throw err;
  }
}

/**
 * Read `file` until two reads separated by `quiet()` agree, and return the
 * last. `quiet` resolves `false` when the wait was cut short (the watch is
 * stopping); `undefined` is returned then.
 *
 * @throws what {@link readConfigSnapshot} throws that is not a structured
 *   error (a bug).
 * @example
 * ```ts
 * const read = await settledRead(file, () => wait(DEBOUNCE_MS));
 * if (read?.snapshot) parse(read.snapshot.bytes);
 * ```
 */
export async function settledRead(file: string, quiet: () => Promise<boolean>): Promise<ConfigRead | undefined> {
  let last = await readOnce(file);
  for (;;) {
    if (!(await quiet())) return undefined;
    const next = await readOnce(file);
    if (sameRead(last, next)) return next;
    last = next;
  }
}
