/**
 * `creation.json`: the provenance record of every project folder and every
 * run folder (cache-family §3), at version 1.9. Fields and sub-blocks are in
 * on-disk order; a field with a `default` is left out when it equals it.
 *
 * @module
 */
import { ValidationError } from "../../errors.js";
import { UnencodableError, encodeNode, nodeOf, plainOf, type JsonNode } from "../_json.js";
import { uuidV5 } from "../_uuid.js";
import { arrayOf, enumOf, json, nullable, object, type JsonObject } from "../combinators.js";
import { decodeDocument, documentRecord, encodeDocument, type RecordDocument } from "../document.js";
import { defineRecord, jsonSchemaOf, validateInput, type InputOf, type RecordOf } from "../record.js";
import { rules } from "../rules.js";

/** The version this package writes into `creation.json`. */
export const CREATION_VERSION = "1.9";

/** `sync_status` values this version knows. */
export const SYNC_STATUSES = ["pending", "synced", "failed", "blocked_by_validation", "cleaned"] as const;
/** A `sync_status` this version knows (a file of a newer minor may hold others, read as strings). */
export type SyncStatus = (typeof SYNC_STATUSES)[number];

const text = rules.string;

const limsProject = object([
  { key: "uid", rule: text, description: "LIMS project uid; empty when unknown." },
  { key: "short_id", rule: text, description: "LIMS short id; may be empty." },
  { key: "name_at_creation", rule: text, description: "Project name when the folder was created." },
  { key: "source", rule: enumOf(["live", "cache", "offline_catalogue"]), default: "live", description: "Where the LIMS data came from." },
  { key: "cache_freshness_at_use", rule: nullable(text), default: null, description: "Age of the cached LIMS data, when it came from the cache." },
] as const);

const template = object([
  { key: "name", rule: text, description: "Template name." },
  { key: "version", rule: text, description: "Template version." },
  { key: "source_path", rule: text, description: "Resolved template folder." },
  { key: "run_scope", rule: nullable(enumOf(["experimental", "test", "both"])), default: null, description: "Run kinds the template serves." },
] as const);

const paths = object([
  { key: "local", rule: text, description: "Absolute destination folder." },
  { key: "nas", rule: text, description: "The equipment's NAS root joined with its id, or empty." },
] as const);

const isolation = object([
  { key: "duration_ms", rule: rules.integer, description: "Plugin run time, milliseconds." },
  { key: "exit_code", rule: rules.integer, description: "Plugin process exit code." },
  { key: "peak_memory_mb", rule: rules.integer, description: "Plugin peak memory, MiB." },
] as const);

const plugin = object([
  { key: "plugin", rule: text, description: "Plugin name." },
  { key: "version", rule: text, description: "Plugin version." },
  { key: "files_affected", rule: arrayOf(text), description: "Files the plugin changed." },
  { key: "status", rule: enumOf(["success", "failed", "skipped", "timeout", "policy_violation"]), description: "Outcome." },
  { key: "isolation", rule: nullable(isolation), default: null, description: "Resource use of the isolated run." },
] as const);

const orchestrator = object([
  { key: "enabled", rule: rules.boolean, description: "Whether an orchestrator receives the data." },
  { key: "host", rule: text, description: "Host name of the equipment machine." },
  { key: "label", rule: text, description: "Orchestrator label from config.yaml." },
  { key: "equipment_label", rule: nullable(text), default: null, description: "Equipment label, relayed." },
  { key: "completeness_signal", rule: nullable(enumOf(["sentinel_file", "manifest"])), default: null, description: "How the orchestrator knows a run is complete." },
  { key: "sentinel_filename", rule: nullable(text), default: null, description: "Sentinel file name." },
  { key: "manifest_filename", rule: nullable(text), default: null, description: "Manifest file name." },
] as const);

/**
 * The `creation.json` record kind: created once per project or run folder,
 * then updated under the sidecar lock (sync status, override entries).
 */
export const CREATION = defineRecord({
  file: "creation.json",
  place: { level: "project-or-run" },
  major: 1,
  version: CREATION_VERSION,
  write: "rewrite",
  payload: "creation payload",
  fields: [
    { key: "schema_version", rule: rules.schemaVersion(1), input: "stamped", description: "Schema version, MAJOR.MINOR." },
    { key: "created_at", rule: text, input: "optional", description: "UTC time of the creation, YYYY-MM-DDTHH:MM:SSZ (not checked on read)." },
    { key: "created_by", rule: text, input: "required", description: "Operator name." },
    { key: "level", rule: enumOf(["project", "run"]), input: "required", description: "Whether the folder is a project or a run." },
    { key: "run_kind", rule: enumOf(["experimental", "test"]), input: "optional", absent: "experimental", description: "Run kind; projects are experimental. Missing before 1.1: experimental." },
    { key: "lims_project", rule: limsProject, input: "required", since: 5, description: "LIMS project the folder belongs to (since 1.5)." },
    { key: "template", rule: template, input: "required", description: "Template the folder was made from." },
    { key: "variables", rule: json({ object: true }), input: "required", description: "Resolved template variables, any JSON values." },
    { key: "paths", rule: paths, input: "required", description: "Where the folder lives locally and on the NAS." },
    { key: "plugins_applied", rule: arrayOf(plugin), input: "optional", default: [], description: "Plugins run at creation." },
    { key: "orchestrator", rule: nullable(orchestrator), input: "optional", default: null, description: "Orchestrator relay settings." },
    { key: "sync_status", rule: enumOf(SYNC_STATUSES), input: "optional", default: "pending", description: "NAS sync state." },
    { key: "validation_overrides", rule: arrayOf(json({ object: true })), input: "optional", default: [], description: "Override and tombstone entries, append-only (free-form objects)." },
  ],
});

/**
 * `creation.json` as read: every field present, defaults and migration
 * defaults filled in (`run_kind` "experimental" when missing,
 * `validation_overrides` `[]`, `lims_project` undefined in a file before 1.5
 * that lacks it), and every override entry with an `id` (see
 * {@link creationRecord}).
 */
export type CreationJson = RecordOf<typeof CREATION>;

/** What a new `creation.json` is made from: optional fields may be left out; `schema_version` is the writer's. */
export type CreationInput = InputOf<typeof CREATION>;

/** A decoded `creation.json`, ready to be updated without losing what this version does not know. */
export type CreationDocument = RecordDocument<typeof CREATION>;

/** JSON Schema (draft 2020-12) of `creation.json`, for files of this version (enums closed). */
export const creationJsonSchema = jsonSchemaOf(CREATION);

/** Namespace of the ids derived for override entries that have none. */
export const DERIVED_ID_NAMESPACE = "3b0f5c8e-7d2a-4f61-9c3e-5a8b1d2e4f60";

/**
 * The id an override entry without one is shown with: the UUID v5 (in
 * {@link DERIVED_ID_NAMESPACE}) of its position and its compact JSON text
 * (`"<index>:<text>"`, numbers as written in the file). The same file always
 * gives the same ids; an update writes them into the entries.
 */
export function derivedEntryId(index: number, entry: JsonNode): string {
  return uuidV5(DERIVED_ID_NAMESPACE, `${index}:${safeText(entry)}`);
}

function safeText(entry: JsonNode): string {
  try {
    return encodeNode(entry);
  } catch {
    return JSON.stringify(plainOf(entry));
  }
}

/**
 * Decode and check a `creation.json` (lock-free read semantics): the version
 * gate (a missing, `null`, empty, numeric or non-`MAJOR.MINOR` version, or
 * another major, is `schema_major_mismatch`), then every field at every
 * depth. Enum values a newer minor added are accepted as strings.
 *
 * @throws {@link MalformedFileError}, {@link SchemaMajorMismatchError}, {@link ValidationError}
 * @example
 * ```ts
 * const doc = decodeCreation(await readCacheFile(path), path);
 * ```
 */
export function decodeCreation(bytes: Uint8Array, path?: string): CreationDocument {
  return decodeDocument(CREATION, bytes, path);
}

/** The typed view of a decoded `creation.json`, with derived ids for entries that have none. */
export function creationRecord(doc: CreationDocument): CreationJson {
  const record = documentRecord(doc);
  const entries = doc.node.members.get("validation_overrides");
  record.validation_overrides.forEach((e, i) => {
    if (Object.hasOwn(e, "id")) return;
    const node = entries?.t === "arr" ? entries.items[i] : undefined;
    if (node !== undefined) e["id"] = derivedEntryId(i, node);
  });
  return record;
}

/**
 * Decode, check and view a `creation.json` in one step.
 *
 * @throws {@link MalformedFileError}, {@link SchemaMajorMismatchError}, {@link ValidationError}
 * @example
 * ```ts
 * const { sync_status, run_kind } = parseCreation(bytes, path);
 * ```
 */
export function parseCreation(bytes: Uint8Array, path?: string): CreationJson {
  return creationRecord(decodeCreation(bytes, path));
}

/**
 * The record a new `creation.json` holds: `input` checked strictly (unknown
 * members at any depth are issues), `schema_version` the current one,
 * `created_at` from `stamps` when the input has none, defaults filled in.
 *
 * @throws {@link ValidationError} listing every issue.
 * @example
 * ```ts
 * const record = newCreationRecord(input, { created_at: formatTimestamp(clock()) });
 * const text = encodeCreation(record);
 * ```
 */
export function newCreationRecord(input: unknown, stamps: { readonly created_at: string }): CreationJson {
  const given = validateInput(CREATION, input) as Record<string, unknown>;
  let node: JsonNode;
  try {
    node = nodeOf({ ...given, created_at: given["created_at"] ?? stamps.created_at, schema_version: CREATION_VERSION });
  } catch (err) {
    if (!(err instanceof UnencodableError)) throw err;
    throw new ValidationError([{ path: err.at, expected: "a JSON value", received: err.why, message: `Cannot write \`${err.at}\`: ${err.why}` }], { what: CREATION.payload });
  }
  return creationRecord({ kind: CREATION, node: node as JsonNode & { t: "obj" }, version: { major: 1, minor: 9 } });
}

/**
 * The bytes (as a string) of `record` written onto `base`, the document it
 * came from (omit for a new file). Only what changed is re-encoded: unknown
 * members at every depth and the raw text of unchanged values stay; a field
 * set back to its default is left out. The version: 1.9 for a new file or
 * an older minor, the file's own for a newer minor. A record from
 * {@link creationRecord} carries the derived ids of entries that had none,
 * so the update persists them.
 *
 * @throws {@link ValidationError} when the record breaks the schema at the
 *   version it will be written at.
 * @example
 * ```ts
 * const doc = decodeCreation(bytes, path);
 * const record = creationRecord(doc);
 * record.sync_status = "synced";
 * await atomicWriteFile(path, encodeCreation(record, doc, path));
 * ```
 */
export function encodeCreation(record: CreationJson, base?: CreationDocument, path?: string): string {
  return encodeDocument(CREATION, record, base, path);
}

/** Re-exported for callers that handle entries as plain JSON. */
export type { JsonObject };
