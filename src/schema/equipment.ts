/**
 * `equipment.json` (§11.4.1): the registry record of one piece of equipment.
 *
 * @module
 */
import { ExlabCacheError, SchemaMajorMismatchError, ValidationError, type ValidationIssue } from "../errors.js";
import { checkFields, checkInput, field, isTimestamp, jsonSchemaOf, rules, type Field } from "./_fields.js";
import { decodeJsonObject, rawTopLevelMembers } from "./_decode.js";
import { SCHEMA_MAJOR, parseSchemaVersion, renderFoundVersion, requireSchemaMajor } from "./version.js";

/** `equipment.json` as read and written; the keys are the on-disk keys. */
export interface EquipmentJson {
  /** `MAJOR.MINOR`; `"1.0"` for files this version creates. */
  schema_version: string;
  /** Equipment id, `^[A-Z][A-Z0-9_]*$`, at most 32 characters. */
  id: string;
  /** Human-readable name. */
  label: string;
  /** The equipment's `local_root` in `config.yaml` at the time of the write. */
  configured_local_root: string;
  /** The equipment's `nas_root` in `config.yaml` at the time of the write. */
  configured_nas_root: string;
  /** UTC time of the first write; never changes afterwards. */
  first_seen_at: string;
  /** UTC time of the latest write. */
  last_modified_at: string;
}

/**
 * What {@link EquipmentCacheWriter.writeEquipment} accepts: the fields that
 * mirror `config.yaml`. `schema_version`, `first_seen_at` and
 * `last_modified_at` may be present (say, a record read earlier) but are
 * ignored: the writer stamps them.
 */
export interface EquipmentInput {
  id: string;
  label: string;
  configured_local_root: string;
  configured_nas_root: string;
  schema_version?: string;
  first_seen_at?: string;
  last_modified_at?: string;
}

/** The fields of `equipment.json`, in on-disk order. */
export const EQUIPMENT_FIELDS: readonly Field[] = [
  field("schema_version", rules.schemaVersion, "Schema version, MAJOR.MINOR."),
  field("id", rules.equipmentId, "Equipment id, mirrors config.yaml equipment[].id."),
  field("label", rules.text, "Human-readable equipment name."),
  field("configured_local_root", rules.text, "The equipment's local_root at the time of the write."),
  field("configured_nas_root", rules.text, "The equipment's nas_root at the time of the write."),
  field("first_seen_at", rules.timestamp, "UTC time of the first write; never changes."),
  field("last_modified_at", rules.timestamp, "UTC time of the latest write."),
];

const INPUT_FIELDS: readonly Field[] = [
  ...EQUIPMENT_FIELDS.slice(1, 5),
  // Accepted so that a record read earlier can be passed back; the writer
  // stamps these itself, so their values are not looked at.
  ...["schema_version", "first_seen_at", "last_modified_at"].map((k) => field(k, rules.ignored, "ignored", false)),
];

/** JSON Schema (draft 2020-12) of `equipment.json`. */
export const equipmentJsonSchema = jsonSchemaOf(
  "https://exlab-wizard.org/schema/equipment.json",
  "equipment.json",
  EQUIPMENT_FIELDS,
);

/**
 * Check a write payload (the typed encode of §4.4.5, before any disk work).
 *
 * @throws {@link ValidationError} listing every bad or unknown field.
 */
export function validateEquipmentInput(payload: unknown): EquipmentInput {
  return checkInput(payload, INPUT_FIELDS, "equipment payload") as unknown as EquipmentInput;
}

/** Issues of an already-decoded object against the record's fields. */
export function equipmentIssues(obj: Readonly<Record<string, unknown>>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  checkFields(obj, EQUIPMENT_FIELDS, issues);
  return issues;
}

/** The known fields of a decoded, valid object, in on-disk order. */
export function pickEquipment(obj: Readonly<Record<string, unknown>>): EquipmentJson {
  return {
    schema_version: obj["schema_version"] as string,
    id: obj["id"] as string,
    label: obj["label"] as string,
    configured_local_root: obj["configured_local_root"] as string,
    configured_nas_root: obj["configured_nas_root"] as string,
    first_seen_at: obj["first_seen_at"] as string,
    last_modified_at: obj["last_modified_at"] as string,
  };
}

/**
 * Decode and validate the bytes of an `equipment.json`. The version is
 * checked first: a file of another major is refused before any other field
 * is looked at. Fields a newer minor added are left out of the result.
 *
 * @throws {@link MalformedFileError}, {@link SchemaMajorMismatchError}, {@link ValidationError}
 */
export function parseEquipment(bytes: Uint8Array, path?: string): EquipmentJson {
  const obj = decodeJsonObject(bytes, path);
  requireSchemaMajor(obj["schema_version"] as string, { expectedMajor: SCHEMA_MAJOR, path });
  const issues = equipmentIssues(obj);
  if (issues.length > 0) throw new ValidationError(issues, { path });
  return pickEquipment(obj);
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
        ? new SchemaMajorMismatchError(SCHEMA_MAJOR, renderFoundVersion(obj["schema_version"]), { path })
        : new ValidationError(issues, { path });
    const first = obj["first_seen_at"];
    return { status: "corrupt", problem, firstSeenAt: isTimestamp(first) ? first : undefined };
  }
  const known = new Set(EQUIPMENT_FIELDS.map((f) => f.key));
  const extras = rawTopLevelMembers(new TextDecoder().decode(bytes)).filter(([k]) => !known.has(k));
  return { status: "valid", record: pickEquipment(obj), extras };
}
