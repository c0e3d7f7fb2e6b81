/**
 * The update policy: read the record, hand it to a mutator, validate what
 * comes back, write it. All of it under the one lock, so concurrent
 * updaters (ours and the Python application's) never lose each other's
 * changes.
 *
 * @module
 */
import { NotFoundError, type ValidationIssue } from "../../errors.js";
import type { Decision, DecideContext, Found } from "../store.js";

/**
 * How a record kind turns bytes into a value and back. `decode` checks what
 * it reads (version, shape) and `encode` validates what it is given: an
 * invalid value is refused there, before anything is written.
 */
export interface RecordCodec<T> {
  /** @throws a structured error ({@link SchemaMajorMismatchError}, {@link MalformedFileError}, {@link ValidationError}) */
  decode(bytes: Uint8Array, path: string): T;
  /** The whole file's text. @throws {@link ValidationError} for an invalid value */
  encode(value: T, path: string): string;
  /** Why `text` is over `limit` bytes, naming the member to shorten. @default a whole-record issue */
  oversize?(value: T, limit: number): ValidationIssue | undefined;
}

/**
 * Changes a record: mutate it in place and return nothing, or return the new
 * value. May be async; runs under the file's lock (it must not lock that
 * same file: that fails at once with `lock_reentry`).
 */
export type Mutator<T> = (current: T) => T | void | Promise<T | void>;

/**
 * Decide an update: decode what is there, apply `mutator`, encode the
 * result (validating it). Decodes once and encodes once.
 *
 * @returns a decision to write the mutated value, which is its result.
 * @throws {@link NotFoundError} when there is no file; the codec's errors;
 *   whatever `mutator` throws. Nothing is written in any of these cases.
 * @example
 * ```ts
 * await store.change(path, { look: "read", decide: (found, ctx) => decideUpdate(codec, (r) => { r.n++; }, found, ctx) });
 * ```
 */
export async function decideUpdate<T>(codec: RecordCodec<T>, mutator: Mutator<T>, found: Found, ctx: DecideContext): Promise<Decision<T>> {
  if (found.kind === "too-large") throw found.error;
  if (found.kind !== "file") throw new NotFoundError(ctx.path);
  const current = codec.decode(found.bytes, ctx.path);
  const returned = await mutator(current);
  const next = returned === undefined ? current : returned;
  const text = codec.encode(next, ctx.path);
  return { write: true, text, result: next, oversize: (limit) => codec.oversize?.(next, limit) };
}
