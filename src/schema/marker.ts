/**
 * The run markers (§11.4.2, §11.4.3): `TestRuns/.exlab-wizard/test_runs.json`
 * and `Runs/.exlab-wizard/runs.json`, written once per project.
 *
 * @module
 */
import { ValidationError, type ValidationIssue } from "../errors.js";
import { checkFields, checkInput, field, jsonSchemaOf, rules, type Field } from "./_fields.js";
import { decodeJsonObject } from "./_decode.js";
import { SCHEMA_MAJOR, requireSchemaMajor } from "./version.js";

/** `"test"` for `test_runs.json`, `"experimental"` for `runs.json`. */
export type RunKind = "test" | "experimental";

/** A run marker as read and written; the keys are the on-disk keys. */
export interface MarkerJson<K extends RunKind = RunKind> {
  schema_version: string;
  /** Always present in what this package returns and writes. */
  run_kind: K;
  /** UTC time the marker was written. */
  created_at: string;
  /** The project folder name. */
  project: string;
  /** The equipment id. */
  equipment: string;
}

/** `test_runs.json`. */
export type TestRunsJson = MarkerJson<"test">;
/** `runs.json`. */
export type RunsJson = MarkerJson<"experimental">;

/** What the marker writers accept. */
export interface MarkerInput {
  project: string;
  equipment: string;
  /** Defaults to the writer's clock. */
  created_at?: string;
  /** When present, must be the marker's own kind. */
  run_kind?: RunKind;
  /** Accepted and ignored: new files are always written at the current version. */
  schema_version?: string;
}

function markerFields(kind: RunKind): readonly Field[] {
  return [
    field("schema_version", rules.schemaVersion, "Schema version, MAJOR.MINOR."),
    field("run_kind", rules.literal(kind), `Always "${kind}"; files written by older writers may omit it.`, false),
    field("created_at", rules.timestamp, "UTC time the marker was written."),
    field("project", rules.projectName, "Project folder name."),
    field("equipment", rules.equipmentId, "Equipment id."),
  ];
}

/** The fields of each marker, in on-disk order. */
export const MARKER_FIELDS: Readonly<Record<RunKind, readonly Field[]>> = {
  test: markerFields("test"),
  experimental: markerFields("experimental"),
};

/** JSON Schema (draft 2020-12) of `test_runs.json`. */
export const testRunsJsonSchema = jsonSchemaOf(
  "https://exlab-wizard.org/schema/test_runs.json",
  "test_runs.json",
  MARKER_FIELDS.test,
);

/** JSON Schema (draft 2020-12) of `runs.json`. */
export const runsJsonSchema = jsonSchemaOf(
  "https://exlab-wizard.org/schema/runs.json",
  "runs.json",
  MARKER_FIELDS.experimental,
);

/**
 * Check a marker write payload.
 *
 * @throws {@link ValidationError} listing every bad or unknown field.
 */
export function validateMarkerInput(payload: unknown, kind: RunKind): MarkerInput {
  const fields = [
    field("schema_version", rules.ignored, "ignored", false),
    field("run_kind", rules.literal(kind), "must be the marker's own kind", false),
    field("created_at", rules.timestamp, "defaults to now", false),
    field("project", rules.projectName, "project folder name"),
    field("equipment", rules.equipmentId, "equipment id"),
  ];
  const what = `${kind === "test" ? "test_runs" : "runs"} marker payload`;
  return checkInput(payload, fields, what) as unknown as MarkerInput;
}

/**
 * Decode and validate the bytes of a marker of `kind`. A missing `run_kind`
 * reads as the file's own kind (the Python application omits it in
 * `test_runs.json`); a different one is a validation error.
 *
 * @throws {@link MalformedFileError}, {@link SchemaMajorMismatchError}, {@link ValidationError}
 */
export function parseMarker<K extends RunKind>(bytes: Uint8Array, kind: K, path?: string): MarkerJson<K> {
  const obj = decodeJsonObject(bytes, path);
  requireSchemaMajor(obj["schema_version"] as string, { expectedMajor: SCHEMA_MAJOR, path });
  const issues: ValidationIssue[] = [];
  checkFields(obj, MARKER_FIELDS[kind], issues);
  if (issues.length > 0) throw new ValidationError(issues, { path });
  return {
    schema_version: obj["schema_version"] as string,
    run_kind: kind,
    created_at: obj["created_at"] as string,
    project: obj["project"] as string,
    equipment: obj["equipment"] as string,
  };
}
