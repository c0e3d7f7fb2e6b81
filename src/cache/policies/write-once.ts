/**
 * The write-once policy (the run markers): a file that is there is left
 * byte for byte as it is, whatever the new payload says.
 *
 * @module
 */
import type { ValidationIssue } from "../../errors.js";
import type { Decision, Found } from "../store.js";

/** A new file's text, made only when one is to be written (its timestamp is the write's). */
export interface NewFile {
  readonly text: string;
  /** Why `text` is over `limit` bytes; asked only when it is. */
  readonly oversize: (limit: number) => ValidationIssue | undefined;
}

/**
 * Decide a write-once write: create the file when nothing is there, else
 * keep what is there.
 *
 * @returns a decision whose result is `true` when the file is to be created.
 * @example
 * ```ts
 * await store.change(path, { look: "exists", decide: (found) => decideWriteOnce(found, () => ({ text, oversize })) });
 * ```
 */
export function decideWriteOnce(found: Found, make: () => NewFile): Decision<boolean> {
  return decideOnce(found, make, true, () => ({ write: false, result: false }));
}

/**
 * The shared step of the write-once and create-once policies: `make` the
 * file when nothing is there, else let `onExisting` answer (keep or refuse).
 */
export function decideOnce<R>(found: Found, make: () => NewFile, created: R, onExisting: () => Decision<R>): Decision<R> {
  if (found.kind !== "absent") return onExisting();
  const file = make();
  return { write: true, text: file.text, oversize: file.oversize, result: created };
}
