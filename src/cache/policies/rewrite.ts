/**
 * The rewrite policy (`equipment.json`): every write replaces the file,
 * keeping what the kind says survives rewrites (`first_seen_at`), members
 * this version does not know (as raw text) and a newer minor's version. A
 * corrupt file is kept aside and replaced; a file of another major is
 * refused. A sync (`keepUnchanged`) leaves a valid file whose compared
 * fields already match alone.
 *
 * @module
 */
import type { CacheWarning, ExlabCacheError } from "../../errors.js";
import { encodeRecordOf, oversizeIssue, stampRecord, type InputOf, type RecordDescriptor, type RecordOf } from "../../schema/record.js";
import { parseSchemaVersion } from "../../schema/version.js";
import type { Decision, DecideContext, Found } from "../store.js";

/** What a rewrite finds in an existing file. */
export type Existing<R> =
  | { readonly status: "valid"; readonly record: R; readonly extras: readonly (readonly [string, string])[] }
  /** Unusable as it is; `kept` holds what could still be read of the fields kept across rewrites. */
  | { readonly status: "corrupt"; readonly problem: ExlabCacheError; readonly kept: Readonly<Record<string, string | undefined>> };

/** What the rewrite policy needs to know of a kind besides its descriptor. */
export interface RewriteKind<D extends RecordDescriptor> {
  readonly d: D;
  /** Classify an existing file. @throws {@link SchemaMajorMismatchError} for another major: never overwritten */
  inspect(bytes: Uint8Array, path: string): Existing<RecordOf<D>>;
  /** What the leading bytes of a file too large to read still say of the kept fields. */
  salvage(leading: Uint8Array): Readonly<Record<string, string | undefined>>;
  /** Stamped fields carried over from the file (first write's time); the others are stamped now. */
  readonly kept: readonly string[];
  /** Fields whose difference from the file makes a sync write. */
  readonly compared: readonly string[];
}

/** What a rewrite did. */
export interface RewriteResult<R> {
  readonly status: "created" | "updated" | "unchanged" | "repaired";
  /** The record as written, or as found when unchanged. */
  readonly record: R;
  /** Compared fields that differed from the file (a sync's `updated` only). */
  readonly changed: readonly string[];
}

/** A rewrite decision, with what was found (for a dry run). */
export type RewriteDecision<R> = Decision<RewriteResult<R>> & {
  /** The valid record found, if any. */
  readonly previous?: R | undefined;
  /** Why the file found cannot be used (`repaired`). */
  readonly problem?: ExlabCacheError | undefined;
};

/**
 * Decide a rewrite of `input` over what was found.
 *
 * @throws {@link SchemaMajorMismatchError} from `kind.inspect`; the clock's {@link ValidationError}.
 * @example
 * ```ts
 * await store.change(path, { look: "read", decide: (found, ctx) => decideRewrite(kind, input, found, ctx, true) });
 * ```
 */
export function decideRewrite<D extends RecordDescriptor>(
  kind: RewriteKind<D>,
  input: InputOf<D>,
  found: Found,
  ctx: DecideContext,
  keepUnchanged: boolean,
): RewriteDecision<RecordOf<D>> {
  const { d } = kind;
  const given = input as Readonly<Record<string, unknown>>;
  const existing = found.kind === "file" ? kind.inspect(found.bytes, ctx.path) : undefined;
  const previous = existing?.status === "valid" ? existing.record : undefined;
  let changed: readonly string[] = [];
  if (keepUnchanged && previous !== undefined) {
    const values = previous as Readonly<Record<string, unknown>>;
    changed = kind.compared.filter((k) => values[k] !== given[k]);
    if (changed.length === 0) return { write: false, result: { status: "unchanged", record: previous, changed }, previous };
  }
  const now = ctx.now();
  let status: RewriteResult<unknown>["status"] = "created";
  let carried: Readonly<Record<string, unknown>> = {};
  let version = d.version;
  let extras: readonly (readonly [string, string])[] = [];
  let keepAside: { bytes: Uint8Array | undefined; problem: ExlabCacheError } | undefined;
  if (found.kind === "too-large") {
    status = "repaired";
    carried = kind.salvage(found.leading);
    keepAside = { bytes: undefined, problem: found.error };
  } else if (existing?.status === "valid") {
    status = "updated";
    carried = existing.record;
    extras = existing.extras;
    const theirs = parseSchemaVersion(carried["schema_version"]);
    const ours = parseSchemaVersion(d.version);
    if (theirs !== undefined && ours !== undefined && theirs.minor > ours.minor) version = carried["schema_version"] as string;
  } else if (existing?.status === "corrupt" && found.kind === "file") {
    status = "repaired";
    carried = existing.kept;
    keepAside = { bytes: found.bytes, problem: existing.problem };
  }
  const stamps: Record<string, unknown> = { schema_version: version };
  const warnings: CacheWarning[] = [];
  const fresh = d.fields.filter((f) => f.input === "stamped" && f.key !== "schema_version" && !kind.kept.includes(f.key)).map((f) => f.key);
  for (const key of fresh) stamps[key] = now;
  for (const key of kind.kept) {
    const kept = typeof carried[key] === "string" ? (carried[key]) : now;
    stamps[key] = kept;
    // Both are YYYY-MM-DDTHH:MM:SSZ, so text order is time order.
    if (now < kept) {
      warnings.push({
        code: "clock_behind_record",
        path: ctx.path,
        message: `The clock reads ${now}, earlier than ${ctx.path}'s ${key} ${kept}; written anyway, with ${fresh.join(", ")} before ${key}`,
      });
    }
  }
  const record = stampRecord(d, input, stamps);
  return {
    write: true,
    text: encodeRecordOf(d, record, extras),
    result: { status, record, changed },
    keepAside,
    warnings,
    oversize: (limit) => oversizeIssue(d, record, extras, limit),
    previous,
    problem: keepAside?.problem,
  };
}
