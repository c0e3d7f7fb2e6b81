/**
 * The replace policy (`readme_fields.json`): every write replaces the
 * file's known fields with a new record, written through the document
 * codec onto what is there, so members this version does not know and a
 * newer minor's version survive. A file that is not a valid record is kept
 * aside and replaced; a file of another major is refused.
 *
 * @module
 */
import { MalformedFileError, ValidationError, type ExlabCacheError } from "../../errors.js";
import { decodeDocument, encodeDocument, writtenVersion, type RecordDocument } from "../../schema/document.js";
import type { RecordDescriptor, RecordOf } from "../../schema/record.js";
import type { Decision, DecideContext, Found } from "../store.js";

/** What a replace did: `created` (no file), `updated` (a valid file), `repaired` (an invalid one, kept aside). */
export interface ReplaceResult<R> {
  readonly status: "created" | "updated" | "repaired";
  /** The record as written. */
  readonly record: R;
}

/**
 * Decide a replace: `make()` the new record (reading the clock through
 * `ctx` if it needs one), then encode it onto the file found.
 *
 * @throws {@link SchemaMajorMismatchError} for a file of another major
 *   (never overwritten); {@link ValidationError} for a record that breaks
 *   the schema. Nothing is written in either case.
 * @example
 * ```ts
 * await store.change(path, { look: "read", decide: (found, ctx) => decideReplace(README_FIELDS, () => record, found, ctx) });
 * ```
 */
export function decideReplace<D extends RecordDescriptor>(d: D, make: () => RecordOf<D>, found: Found, ctx: DecideContext): Decision<ReplaceResult<RecordOf<D>>> {
  let base: RecordDocument<D> | undefined;
  let keepAside: { bytes: Uint8Array | undefined; problem: ExlabCacheError } | undefined;
  if (found.kind === "too-large") keepAside = { bytes: undefined, problem: found.error };
  if (found.kind === "file") {
    try {
      base = decodeDocument(d, found.bytes, ctx.path);
    } catch (err) {
      if (!(err instanceof MalformedFileError || err instanceof ValidationError)) throw err;
      keepAside = { bytes: found.bytes, problem: err };
    }
  }
  const record = make();
  const text = encodeDocument(d, record, base, ctx.path);
  const status = keepAside !== undefined ? "repaired" : base !== undefined ? "updated" : "created";
  // The typed record says what was written, version included.
  const written = { ...(record as Record<string, unknown>), schema_version: writtenVersion(d, base) } as RecordOf<D>;
  return { write: true, text, result: { status, record: written }, keepAside, oversize: () => undefined };
}

