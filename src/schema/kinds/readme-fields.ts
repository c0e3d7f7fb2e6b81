/**
 * `readme_fields.json`: the field values a run's (or project's) README was
 * generated from (cache-family §8), at version 1.1. Fields are in
 * declaration order, which is the application's on-disk order; empty
 * `template_fields`, `config_fields` and `custom_fields` are left out.
 *
 * @module
 */
import type { Rule } from "../rules.js";
import { arrayOf, json } from "../combinators.js";
import { decodeDocument, documentRecord, encodeDocument, type RecordDocument } from "../document.js";
import { defineRecord, jsonSchemaOf, type InputOf, type RecordOf } from "../record.js";
import { rules } from "../rules.js";

/** The version this package writes into `readme_fields.json`. */
export const README_FIELDS_VERSION = "1.1";

/** An object whose members are all strings, in file order (`core_fields`, a custom field). */
const stringMap: Rule<Record<string, string>> = {
  expected: "object of strings",
  schema: { type: "object", additionalProperties: { type: "string" } },
  check: (v) =>
    typeof v === "object" && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === "string") ? undefined : "object of strings",
};

/** The `readme_fields.json` record kind. */
export const README_FIELDS = defineRecord({
  file: "readme_fields.json",
  place: { level: "project-or-run" },
  major: 1,
  version: README_FIELDS_VERSION,
  write: "rewrite",
  payload: "readme fields payload",
  fields: [
    { key: "schema_version", rule: rules.schemaVersion(1), input: "stamped", description: "Schema version, MAJOR.MINOR." },
    { key: "generated_at", rule: rules.string, input: "optional", description: "UTC time the README was generated (the application writes system_fields.created); defaults to now." },
    { key: "core_fields", rule: stringMap, input: "required", description: "The operator's core fields (label, operator, objective), strings." },
    { key: "system_fields", rule: json({ object: true }), input: "required", description: "Fields the system filled in (created, created_by, equipment, template, project, run, run_kind), free-form, order kept." },
    { key: "template_fields", rule: json({ object: true }), input: "optional", default: {}, description: "Fields the template asked for." },
    { key: "config_fields", rule: json({ object: true }), input: "optional", default: {}, description: "Fields config.yaml asked for." },
    { key: "custom_fields", rule: arrayOf(stringMap), input: "optional", default: [], description: "Fields the operator added, each an object of strings." },
  ],
});

/** `readme_fields.json` as read: every field present (empty layers `{}` / `[]`). */
export type ReadmeFieldsJson = RecordOf<typeof README_FIELDS>;

/** What a `readme_fields.json` is written from; `generated_at` defaults to now, `schema_version` is the writer's. */
export type ReadmeFieldsInput = InputOf<typeof README_FIELDS>;

/** A decoded `readme_fields.json`, ready to be rewritten without losing what this version does not know. */
export type ReadmeFieldsDocument = RecordDocument<typeof README_FIELDS>;

/** JSON Schema (draft 2020-12) of `readme_fields.json`. */
export const readmeFieldsJsonSchema = jsonSchemaOf(README_FIELDS);

/**
 * Decode and check a `readme_fields.json`: the version gate first, then
 * every field.
 *
 * @throws {@link MalformedFileError}, {@link SchemaMajorMismatchError}, {@link ValidationError}
 * @example
 * ```ts
 * const doc = decodeReadmeFields(bytes, path);
 * ```
 */
export function decodeReadmeFields(bytes: Uint8Array, path?: string): ReadmeFieldsDocument {
  return decodeDocument(README_FIELDS, bytes, path);
}

/**
 * Decode, check and view a `readme_fields.json` in one step.
 *
 * @throws as {@link decodeReadmeFields} does.
 * @example
 * ```ts
 * const { core_fields, system_fields } = parseReadmeFields(bytes, path);
 * ```
 */
export function parseReadmeFields(bytes: Uint8Array, path?: string): ReadmeFieldsJson {
  return documentRecord(decodeReadmeFields(bytes, path));
}

/**
 * The text of `record` written onto `base` (the file it replaces; omit for
 * a new file): members this version does not know stay, after the known
 * ones, and a newer minor's version is kept.
 *
 * @throws {@link ValidationError} when the record breaks the schema.
 * @example
 * ```ts
 * const text = encodeReadmeFields({ schema_version: "1.1", generated_at, core_fields, system_fields,
 *   template_fields: {}, config_fields: {}, custom_fields: [] });
 * ```
 */
export function encodeReadmeFields(record: ReadmeFieldsJson, base?: ReadmeFieldsDocument, path?: string): string {
  return encodeDocument(README_FIELDS, record, base, path);
}

