/**
 * `equipment.json` (§11.4.1): the registry record of one piece of equipment.
 *
 * @module
 */
import { ExlabCacheError, SchemaMajorMismatchError, ValidationError, type ValidationIssue } from "../errors.js";
import { isTimestamp, rules } from "./rules.js";
import { decodeJsonObject, rawTopLevelMembers } from "./_decode.js";
import { defineRecord, jsonSchemaOf, parseRecord, pickRecord, recordIssues, unparsedVersionError, validateInput, type InputOf, type RecordOf } from "./record.js";
import { SCHEMA_MAJOR, SCHEMA_VERSION, parseSchemaVersion } from "./version.js";

/**
 * The `equipment.json` record kind: rewritten by every write, keeping
 * members it does not know and the first write's `first_seen_at`. The four
 * input fields mirror the equipment's `config.yaml` entry.
 */
export const EQUIPMENT = defineRecord({
  file: "equipment.json",
  place: { level: "equipment" },
  major: SCHEMA_MAJOR,
  version: SCHEMA_VERSION,
  write: "rewrite",
  payload: "equipment payload",
  fields: [
    { key: "schema_version", rule: rules.schemaVersion(SCHEMA_MAJOR), input: "stamped", description: "Schema version, MAJOR.MINOR." },
    { key: "id", mirrors: "id", rule: rules.equipmentId, input: "required", description: "Equipment id, mirrors config.yaml equipment[].id." },
    { key: "label", mirrors: "label", rule: rules.text, input: "required", description: "Human-readable equipment name." },
    { key: "configured_local_root", mirrors: "local_root", rule: rules.text, input: "required", description: "The equipment's local_root at the time of the write." },
    { key: "configured_nas_root", mirrors: "nas_root", rule: rules.text, input: "required", description: "The equipment's nas_root at the time of the write." },
    { key: "first_seen_at", rule: rules.timestamp, input: "stamped", description: "UTC time of the first write; never changes." },
    { key: "last_modified_at", rule: rules.timestamp, input: "stamped", description: "UTC time of the latest write." },
  ],
});

/**
 * `equipment.json` as read and written; the keys are the on-disk keys:
 * `schema_version` (`MAJOR.MINOR`, `"1.0"` for files this version creates),
 * `id` (`^[A-Z][A-Z0-9_]*$`, at most 32 characters), `label`,
 * `configured_local_root` and `configured_nas_root` (the equipment's roots in
 * `config.yaml` at the time of the write), `first_seen_at` (UTC time of the
 * first write; never changes) and `last_modified_at` (of the latest write).
 */
export type EquipmentJson = RecordOf<typeof EQUIPMENT>;

/**
 * What {@link EquipmentCacheWriter.writeEquipment} accepts: the fields that
 * mirror `config.yaml`. `schema_version`, `first_seen_at` and
 * `last_modified_at` may be present (say, a record read earlier) but are
 * ignored: the writer stamps them.
 */
export type EquipmentInput = InputOf<typeof EQUIPMENT>;

/** JSON Schema (draft 2020-12) of `equipment.json`. */
export const equipmentJsonSchema = jsonSchemaOf(EQUIPMENT);

/**
 * Check a write payload (the typed encode of §4.4.5, before any disk work).
 *
 * @throws {@link ValidationError} listing every bad or unknown field.
 */
export function validateEquipmentInput(payload: unknown): EquipmentInput {
  return validateInput(EQUIPMENT, payload);
}

/** Issues of an already-decoded object against the record's fields. */
export function equipmentIssues(obj: Readonly<Record<string, unknown>>): ValidationIssue[] {
  return recordIssues(EQUIPMENT, obj);
}

/**
 * Decode and validate the bytes of an `equipment.json`. The version is
 * checked first: a file of another major is refused before any other field
 * is looked at. Fields a newer minor added are left out of the result.
 *
 * @throws {@link MalformedFileError}, {@link SchemaMajorMismatchError}, {@link ValidationError}
 */
export function parseEquipment(bytes: Uint8Array, path?: string): EquipmentJson {
  return parseRecord(EQUIPMENT, bytes, path);
}

/** What a writer finds at the path it is about to rewrite. */
export type ExistingEquipment =
  | {
      readonly status: "valid";
      readonly record: EquipmentJson;
      /** Members this version does not know, as raw JSON, in file order. */
      readonly extras: readonly [string, string][];
    }
  | {
      readonly status: "corrupt";
      /** Why the file cannot be used as it is. */
      readonly problem: ExlabCacheError;
      /** `first_seen_at`, when it can still be read from the bytes. */
      readonly firstSeenAt: string | undefined;
    };

const FIRST_SEEN_RE = /"first_seen_at"\s*:\s*"([^"\\]{20})"/;

/**
 * The `first_seen_at` written in `bytes`, found by pattern rather than by
 * decoding, so that it can be read from a damaged file or from only the
 * leading bytes of one too large to read whole.
 *
 * @returns the timestamp, or undefined when none legible is there.
 * @example
 * ```ts
 * salvageFirstSeenAt(Buffer.from('{"first_seen_at":"2026-04-17T14:32:00Z",'));
 * // "2026-04-17T14:32:00Z"
 * ```
 */
export function salvageFirstSeenAt(bytes: Uint8Array): string | undefined {
  const m = FIRST_SEEN_RE.exec(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1"));
  return m !== null && isTimestamp(m[1]) ? m[1] : undefined;
}

/**
 * Classify the bytes of an existing `equipment.json` before a rewrite.
 *
 * @throws {@link SchemaMajorMismatchError} when the file states a well-formed
 *   version of another major: data written by another application version is
 *   never overwritten. A missing or unparseable version makes it corrupt
 *   instead (nothing says whose it is, and its bytes are kept aside).
 */
export function inspectExistingEquipment(bytes: Uint8Array, path?: string): ExistingEquipment {
  const salvage = (): string | undefined => salvageFirstSeenAt(bytes);
  let obj: Record<string, unknown>;
  try {
    obj = decodeJsonObject(bytes, path);
  } catch (problem) {
    if (problem instanceof ExlabCacheError) return { status: "corrupt", problem, firstSeenAt: salvage() };
    throw problem;
  }
  const version = parseSchemaVersion(obj["schema_version"]);
  if (version !== undefined && version.major !== SCHEMA_MAJOR) {
    throw new SchemaMajorMismatchError(SCHEMA_MAJOR, obj["schema_version"] as string, { path });
  }
  const issues = version === undefined ? [] : equipmentIssues(obj);
  if (version === undefined || issues.length > 0) {
    const problem =
      version === undefined
        ? unparsedVersionError(EQUIPMENT, obj["schema_version"], path)
        : new ValidationError(issues, { path });
    const first = obj["first_seen_at"];
    return { status: "corrupt", problem, firstSeenAt: isTimestamp(first) ? first : undefined };
  }
  const known = new Set<string>(EQUIPMENT.fields.map((f) => f.key));
  const extras = rawTopLevelMembers(new TextDecoder().decode(bytes)).filter(([k]) => !known.has(k));
  return { status: "valid", record: pickRecord(EQUIPMENT, obj), extras };
}
