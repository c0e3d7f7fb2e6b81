/**
 * The document codec: a record file decoded so that rewriting it changes
 * only what the caller changed. Generic over descriptors; `kinds/creation.ts`
 * is its first user.
 *
 * - decode: the version gate first, then every issue at every depth, with
 *   enums open in files of a newer minor;
 * - the typed view: known fields only, defaults filled in;
 * - encode: a typed record applied onto the document (or onto nothing, for a
 *   new file): known keys in declaration order, defaults left out (unless
 *   the file stated one and it is unchanged), then the members this version
 *   does not know, in file order, at every depth; unchanged values keep
 *   their original text (`1.50`, `1E5`, integers beyond 2^53); compact, no
 *   trailing newline.
 *
 * @module
 */
import { ValidationError, type ValidationIssue } from "../errors.js";
import { UnencodableError, encodeNode, parseJsonObjectNode, plainOf, type JsonNode } from "./_json.js";
import { collectIssues, typedView, writeNode, type WalkContext } from "./_shape.js";
import { bodyRuleOf, minorOf, unparsedVersionError, type RecordDescriptor, type RecordOf } from "./record.js";
import { parseSchemaVersion, requireSchemaMajor, type SchemaVersion } from "./version.js";

/** A decoded record file: its members as read, and its version. */
export interface RecordDocument<D extends RecordDescriptor = RecordDescriptor> {
  /** The record kind. */
  readonly kind: D;
  /** The file's top-level object, numbers with their text, members in file order. */
  readonly node: JsonNode & { readonly t: "obj" };
  /** The file's `schema_version`. */
  readonly version: SchemaVersion;
}

const contextOf = (d: RecordDescriptor, minor: number, mode: WalkContext["mode"]): WalkContext => ({ mode, minor, openEnums: minor > minorOf(d) });

/**
 * Decode and check the bytes of a record file.
 *
 * @throws {@link MalformedFileError} (empty, truncated, a byte-order mark,
 *   invalid UTF-8, not an object, nested too deeply, a number beyond double
 *   range), {@link SchemaMajorMismatchError} (a missing, non-string or
 *   non-`MAJOR.MINOR` version, or another major: checked before anything
 *   else), {@link ValidationError} listing every issue with its path
 *   (`plugins_applied[0].isolation.duration_ms`).
 * @example
 * ```ts
 * const doc = decodeDocument(CREATION, bytes, path);
 * const record = documentRecord(doc);
 * ```
 */
export function decodeDocument<D extends RecordDescriptor>(d: D, bytes: Uint8Array, path?: string): RecordDocument<D> {
  const node = parseJsonObjectNode(bytes, path);
  const vnode = node.members.get("schema_version");
  const found = vnode === undefined ? undefined : plainOf(vnode);
  // A version that is not a string (a number 1.9, null) is a mismatch too.
  if (typeof found !== "string") throw unparsedVersionError(d, found, path);
  requireSchemaMajor(found, { expectedMajor: d.major, path });
  const version = parseSchemaVersion(found) as SchemaVersion;
  const issues: ValidationIssue[] = [];
  collectIssues(bodyRuleOf(d), plainOf(node), node, "", contextOf(d, version.minor, "read"), issues);
  if (issues.length > 0) throw new ValidationError(issues, { path });
  return { kind: d, node, version };
}

/** The typed view of a document: known fields only, in declaration order, defaults filled in. */
export function documentRecord<D extends RecordDescriptor>(doc: RecordDocument<D>): RecordOf<D> {
  return typedView(bodyRuleOf(doc.kind), plainOf(doc.node), doc.node, doc.node) as RecordOf<D>;
}

/**
 * The version a write gives the file: the descriptor's for a new file or an
 * older minor (bumped), the file's own for a newer minor (never lowered).
 */
export function writtenVersion(d: RecordDescriptor, base?: RecordDocument): string {
  if (base === undefined || base.version.minor <= minorOf(d)) return d.version;
  return `${base.version.major}.${base.version.minor}`;
}

/**
 * Validate `record` as it will be written and encode it onto `base` (the
 * document it was read from; omit for a new file). `schema_version` is set
 * by {@link writtenVersion}; every field must be valid at that version
 * (a field a later minor made required must be there now), and unknown
 * members of the typed record are refused (they are typos; the file's own
 * unknown members come from `base`).
 *
 * @returns the bytes to write, as a string (UTF-8, compact, no trailing newline).
 * @throws {@link ValidationError} listing every issue, also for a string
 *   holding a lone surrogate or a value JSON cannot carry.
 * @example
 * ```ts
 * const record = documentRecord(doc);
 * record.sync_status = "pending";
 * const text = encodeDocument(CREATION, record, doc);
 * ```
 */
export function encodeDocument<D extends RecordDescriptor>(d: D, record: RecordOf<D>, base?: RecordDocument<D>, path?: string): string {
  const version = writtenVersion(d, base);
  const minor = parseSchemaVersion(version)?.minor ?? 0;
  const stamped: Record<string, unknown> = { ...(record as Record<string, unknown>), schema_version: version };
  const issues: ValidationIssue[] = [];
  collectIssues(bodyRuleOf(d), stamped, undefined, "", contextOf(d, minor, "record"), issues);
  if (issues.length > 0) throw new ValidationError(issues, { path });
  try {
    return encodeNode(writeNode(bodyRuleOf(d), stamped, base?.node, "", base?.node));
  } catch (err) {
    if (!(err instanceof UnencodableError)) throw err;
    const at = err.at;
    throw new ValidationError([{ path: at, expected: "a value JSON can carry", received: err.why, message: `Cannot write \`${at}\`: ${err.why}` }], { path });
  }
}
