/**
 * The run markers (§11.4.2, §11.4.3): `TestRuns/.exlab-wizard/test_runs.json`
 * and `Runs/.exlab-wizard/runs.json`, written once per project.
 *
 * @module
 */
import { rules } from "./rules.js";
import { defineRecord, jsonSchemaOf, parseRecord, validateInput, type InputOf, type RecordOf } from "./record.js";
import { SCHEMA_MAJOR, SCHEMA_VERSION } from "./version.js";

/** `"test"` for `test_runs.json`, `"experimental"` for `runs.json`. */
export type RunKind = "test" | "experimental";

function markerRecord<const K extends RunKind, const N extends string, const P extends string>(kind: K, file: N, folder: P) {
  return defineRecord({
    file,
    place: { level: "project" as const, folder },
    major: SCHEMA_MAJOR,
    version: SCHEMA_VERSION,
    write: "write-once",
    payload: `${file.slice(0, -".json".length)} marker payload`,
    fields: [
      { key: "schema_version", rule: rules.schemaVersion(SCHEMA_MAJOR), input: "stamped", description: "Schema version, MAJOR.MINOR." },
      {
        key: "run_kind",
        rule: rules.literal(kind),
        input: "optional",
        absent: kind,
        description: `Always "${kind}"; files written by older writers may omit it.`,
      },
      { key: "created_at", rule: rules.timestamp, input: "optional", description: "UTC time the marker was written." },
      { key: "project", rule: rules.projectName, input: "required", description: "Project folder name." },
      { key: "equipment", rule: rules.equipmentId, input: "required", description: "Equipment id." },
    ],
  });
}

/** The `test_runs.json` record kind, under a project's `TestRuns/` (the file kept its name from before the folder's rename). */
export const TEST_RUNS = markerRecord("test", "test_runs.json", "TestRuns");
/** The `runs.json` record kind, under a project's `Runs/`. */
export const RUNS = markerRecord("experimental", "runs.json", "Runs");

/** The descriptor of each marker, by run kind. */
export const MARKERS = { test: TEST_RUNS, experimental: RUNS } as const;

/**
 * A run marker as read and written; the keys are the on-disk keys:
 * `schema_version`, `run_kind` (always present in what this package returns
 * and writes), `created_at` (UTC time the marker was written), `project`
 * (the project folder name) and `equipment` (the equipment id).
 */
export type MarkerJson<K extends RunKind = RunKind> = Omit<RecordOf<typeof TEST_RUNS>, "run_kind"> & { run_kind: K };

/** `test_runs.json`. */
export type TestRunsJson = MarkerJson<"test">;
/** `runs.json`. */
export type RunsJson = MarkerJson<"experimental">;

/**
 * What the marker writers accept: `project` and `equipment`; `created_at`
 * (defaults to the writer's clock); `run_kind` (when present, must be the
 * marker's own kind); `schema_version` (accepted and ignored: new files are
 * always written at the current version).
 */
export type MarkerInput = Omit<InputOf<typeof TEST_RUNS>, "run_kind"> & { run_kind?: RunKind };

/** JSON Schema (draft 2020-12) of `test_runs.json`. */
export const testRunsJsonSchema = jsonSchemaOf(TEST_RUNS);

/** JSON Schema (draft 2020-12) of `runs.json`. */
export const runsJsonSchema = jsonSchemaOf(RUNS);

/**
 * Check a marker write payload.
 *
 * @throws {@link ValidationError} listing every bad or unknown field.
 */
export function validateMarkerInput(payload: unknown, kind: RunKind): MarkerInput {
  return validateInput(MARKERS[kind], payload);
}

/**
 * Decode and validate the bytes of a marker of `kind`. A missing `run_kind`
 * reads as the file's own kind (the Python application omits it in
 * `test_runs.json`); a different one is a validation error.
 *
 * @throws {@link MalformedFileError}, {@link SchemaMajorMismatchError}, {@link ValidationError}
 */
export function parseMarker<K extends RunKind>(bytes: Uint8Array, kind: K, path?: string): MarkerJson<K> {
  return parseRecord(MARKERS[kind], bytes, path) as MarkerJson<K>;
}
