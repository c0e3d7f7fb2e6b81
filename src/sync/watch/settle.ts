/**
 * Reading a config only once it has stopped changing.
 *
 * An editor, a script or a copy over the network may write a file in
 * several steps; a file caught between two of them can be valid YAML that
 * says something else (`label: Confocal Micr`). A read is trusted only when
 * a second read, a quiet period later, finds the same bytes from the same
 * version of the file (same inode, size, modification and change times),
 * neither read overlapped a change of the file, and (where the system can
 * tell, see `writers.ts`) no process held it open for writing just before.
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

/** How {@link settledRead} waits, and what else it asks before trusting a read. */
export interface Settling {
  /** Wait one quiet period; resolves `false` when the wait was cut short (the watch is stopping). */
  quiet: () => Promise<boolean>;
  /**
   * Whether another process holds the file open for writing now; `undefined`
   * when that cannot be told in time (then it is not asked again for this
   * read: the quiet period alone decides). @default never
   */
  heldOpen?: ((file: string) => Promise<boolean | undefined>) | undefined;
  /** Quiet periods to wait at most for a holder to close the file; then its content is taken as it is. @default 0 */
  maxHeldPeriods?: number | undefined;
  /** Told once, when a read is held back because a process holds the file open for writing. */
  onHeld?: (() => void) | undefined;
  /** Told once, when {@link Settling.heldOpen} could not tell. */
  onUnknown?: (() => void) | undefined;
}

/**
 * Read `file` until two reads separated by a quiet period agree, with no
 * process holding it open for writing just before the second, and return
 * the last. `undefined` when the watch is stopping.
 *
 * The holder is looked for before the confirming read, not after: one that
 * closes after the look either wrote nothing more (the file is whole) or
 * changed the file, which the read then finds different.
 *
 * @throws what {@link readConfigSnapshot} throws that is not a structured
 *   error (a bug).
 * @example
 * ```ts
 * const read = await settledRead(file, { quiet: () => wait(DEBOUNCE_MS), heldOpen: heldForWriting, maxHeldPeriods: 150 });
 * if (read?.snapshot) parse(read.snapshot.bytes);
 * ```
 */
export async function settledRead(file: string, settling: Settling): Promise<ConfigRead | undefined> {
  let last = await readOnce(file);
  let heldFor = 0;
  let unknown = false;
  for (;;) {
    if (!(await settling.quiet())) return undefined;
    const seen = unknown || heldFor >= (settling.maxHeldPeriods ?? 0) ? false : await settling.heldOpen?.(file);
    if (seen === undefined && settling.heldOpen !== undefined && !unknown) {
      unknown = true;
      settling.onUnknown?.();
    }
    const held = seen === true;
    const next = await readOnce(file);
    if (held) {
      if (heldFor++ === 0) settling.onHeld?.();
    } else if (sameRead(last, next)) {
      return next;
    }
    last = next;
  }
}
