/**
 * `ingest.json`: the orchestrator's lifecycle record of a staged run
 * (cache-family §6), at version 1.1. A run moves through
 * `staging → complete → sync_queued → sync_verified → cleared`, one forward
 * step at a time, each step appending a history entry. Fields are in
 * on-disk order; an empty `history` is left out.
 *
 * @module
 */
import { IllegalTransitionError, ValidationError, type ValidationIssue } from "../../errors.js";
import { arrayOf, enumOf, json, type JsonObject } from "../combinators.js";
import { decodeDocument, documentRecord, encodeDocument, type RecordDocument } from "../document.js";
import { defineRecord, jsonSchemaOf, validateInput, type InputOf, type RecordOf } from "../record.js";
import { describe, rules } from "../rules.js";

/** The version this package writes into `ingest.json`. */
export const INGEST_VERSION = "1.1";

/** The states of a staged run, in the one order they are passed through. */
export const INGEST_STATES = ["staging", "complete", "sync_queued", "sync_verified", "cleared"] as const;
/** A state this version knows (a file of a newer minor may hold others, read as strings). */
export type IngestState = (typeof INGEST_STATES)[number];

/** How the run reached the staging station. */
export const INGEST_TRANSPORTS = ["smb_mount", "file_transfer"] as const;

const text = rules.string;

/** The `ingest.json` record kind. */
export const INGEST = defineRecord({
  file: "ingest.json",
  place: { level: "project-or-run" },
  major: 1,
  version: INGEST_VERSION,
  write: "rewrite",
  payload: "ingest payload",
  fields: [
    { key: "schema_version", rule: rules.schemaVersion(1), input: "stamped", description: "Schema version, MAJOR.MINOR." },
    { key: "project_name", rule: text, input: "required", description: "Project name (from the pushed creation.json, else the project folder name)." },
    { key: "equipment_id", rule: text, input: "required", description: "Equipment id: the first path segment under the staging root." },
    { key: "run_kind", rule: enumOf(["experimental", "test"]), input: "required", description: "Run kind." },
    { key: "run_path", rule: text, input: "required", description: "Run folder relative to the staging root, `/`-separated." },
    { key: "transport", rule: enumOf(INGEST_TRANSPORTS), input: "required", description: "How the run reached staging." },
    { key: "current_state", rule: enumOf(INGEST_STATES), input: "stamped", description: "Where the run is in its lifecycle." },
    { key: "history", rule: arrayOf(json({ object: true })), input: "stamped", default: [], description: "One entry per state entered, oldest first (free-form objects)." },
  ],
});

/** `ingest.json` as read: every field present (`history` `[]` when absent). */
export type IngestJson = RecordOf<typeof INGEST>;

/** What a new `ingest.json` is made from: the run's identity. The state and the first history entry are the writer's. */
export type IngestInput = Omit<InputOf<typeof INGEST>, "schema_version" | "current_state" | "history">;

/** A decoded `ingest.json`, ready to be advanced without losing what this version does not know. */
export type IngestDocument = RecordDocument<typeof INGEST>;

/** JSON Schema (draft 2020-12) of `ingest.json`, for files of this version (enums closed). */
export const ingestJsonSchema = jsonSchemaOf(INGEST);

/** The one state each state may step to; `cleared` is final. */
export const INGEST_NEXT: Readonly<Record<IngestState, IngestState | undefined>> = {
  staging: "complete",
  complete: "sync_queued",
  sync_queued: "sync_verified",
  sync_verified: "cleared",
  cleared: undefined,
};

/** What a step may record besides `state`, `at` and `host`, each only when given. */
export interface IngestStepDetails {
  /** Who made the step. @default the machine's host name */
  host?: string;
  /** Files received (`complete` only). */
  files_received?: number;
  /** Bytes received (`complete` only). */
  bytes_received?: number;
  /** Where the run now is on the NAS (`sync_verified` only). */
  nas_path?: string;
  /** The checksum file that verified it (`sync_verified` only). */
  checksum_file?: string;
}

/** The details each state takes, in the order they are written. */
export const INGEST_STEP_DETAILS: Readonly<Record<IngestState, readonly (keyof IngestStepDetails)[]>> = {
  staging: [],
  complete: ["files_received", "bytes_received"],
  sync_queued: [],
  sync_verified: ["nas_path", "checksum_file"],
  cleared: [],
};

const COUNTS = new Set(["files_received", "bytes_received"]);
const ALL_DETAILS = new Set(["host", "files_received", "bytes_received", "nas_path", "checksum_file"]);

function detailIssue(key: string, expected: string, value: unknown): ValidationIssue {
  return { path: key, expected, received: describe(value), message: `Expected \`${key}\` to be ${expected}, got ${describe(value)}` };
}

// C0 and C1 controls, DEL, U+2028, U+2029: a host name is one line of text.
const CONTROL = /[\p{Cc}\u2028\u2029]/u;

/** The problem with `host` as a history entry's host, if any. */
function hostIssue(host: unknown): ValidationIssue | undefined {
  return typeof host !== "string" || host === "" || CONTROL.test(host) ? detailIssue("host", "a non-empty string without control characters", host) : undefined;
}

/**
 * The history entry of a step to `to`: `state`, `at`, `host`, then the
 * details that state takes, each only when given (`0` included).
 *
 * Only `details`' own properties are read (an inherited one is not given).
 *
 * @throws {@link ValidationError} for a detail no state takes or a value of
 *   the wrong type (counts are non-negative safe integers, `host` a
 *   non-empty string without control characters, the rest strings); each
 *   problem listed once.
 * @throws {@link IllegalTransitionError} for a detail another state takes.
 * @example
 * ```ts
 * ingestHistoryEntry("complete", "2026-04-17T15:00:00Z", "labpc-04", { files_received: 142 }, path);
 * // { state: "complete", at: "2026-04-17T15:00:00Z", host: "labpc-04", files_received: 142 }
 * ```
 */
export function ingestHistoryEntry(to: IngestState, at: string, host: string, details: IngestStepDetails, path: string): JsonObject {
  const given = details as Readonly<Record<string, unknown>>;
  if (typeof given !== "object" || given === null || Array.isArray(given)) {
    throw new ValidationError([detailIssue("", "an object of step details", given)], { what: "step details" });
  }
  const issues: ValidationIssue[] = [];
  // Own properties only: an inherited `files_received` is not a detail given.
  for (const key of Object.keys(given)) {
    const v = given[key];
    if (v === undefined) continue;
    if (!ALL_DETAILS.has(key)) issues.push({ path: key, expected: "no such detail", received: describe(v), message: `Unknown step detail \`${key}\`` });
    else if (COUNTS.has(key)) {
      if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) issues.push(detailIssue(key, "a non-negative integer", v));
    } else if (key === "host") {
      const bad = hostIssue(v);
      if (bad !== undefined) issues.push(bad);
    } else if (typeof v !== "string") issues.push(detailIssue(key, "a string", v));
  }
  // The host written; when it is the detail just checked, its problem is listed once.
  const sameAsDetail = Object.hasOwn(given, "host") && given["host"] === host;
  const bad = sameAsDetail ? undefined : hostIssue(host);
  if (bad !== undefined) issues.push(bad);
  if (issues.length > 0) throw new ValidationError(issues, { what: "step details" });
  const takes = INGEST_STEP_DETAILS[to];
  const extras = Object.keys(given).filter((k) => given[k] !== undefined && k !== "host" && !(takes as readonly string[]).includes(k));
  if (extras.length > 0) throw new IllegalTransitionError(path, { field: "current_state", to, allowed: [], extras });
  const entry: JsonObject = { state: to, at, host };
  for (const key of takes) if (Object.hasOwn(given, key) && given[key] !== undefined) entry[key] = given[key] as string | number;
  return entry;
}

/**
 * Why `current` may not step to `to`, or undefined when it may: the step
 * must be the one successor of the current state (the top-level
 * `current_state`; the history is not cross-checked, as the application
 * does not). A state this version does not know refuses every step.
 */
export function ingestStepRefusal(current: IngestJson, to: string, path: string): IllegalTransitionError | undefined {
  const from = current.current_state;
  if (!(INGEST_STATES as readonly string[]).includes(from)) {
    return new IllegalTransitionError(path, { field: "current_state", from, to, allowed: [], unknownFrom: true });
  }
  const next = INGEST_NEXT[from as IngestState];
  if (next !== undefined && next === to) return undefined;
  return new IllegalTransitionError(path, { field: "current_state", from, to, allowed: next === undefined ? [] : [next] });
}

/**
 * Decode and check an `ingest.json`: the version gate first (a missing,
 * `null`, empty, numeric or non-`MAJOR.MINOR` version, or another major, is
 * `schema_major_mismatch`), then every field. Enum values a newer minor
 * added (a new state, a new transport) are read as strings.
 *
 * @throws {@link MalformedFileError}, {@link SchemaMajorMismatchError}, {@link ValidationError}
 * @example
 * ```ts
 * const doc = decodeIngest(bytes, path);
 * ```
 */
export function decodeIngest(bytes: Uint8Array, path?: string): IngestDocument {
  return decodeDocument(INGEST, bytes, path);
}

/**
 * Decode, check and view an `ingest.json` in one step.
 *
 * @throws as {@link decodeIngest} does.
 * @example
 * ```ts
 * const { current_state, history } = parseIngest(bytes, path);
 * ```
 */
export function parseIngest(bytes: Uint8Array, path?: string): IngestJson {
  return documentRecord(decodeIngest(bytes, path));
}

/**
 * A new `ingest.json` record: `input` checked strictly, state `staging`,
 * one history entry (`state`, `at`, `host`).
 *
 * @throws {@link ValidationError} listing every issue (a `current_state` or
 *   `history` in the input too: a new record always starts at `staging`).
 * @example
 * ```ts
 * const record = newIngestRecord({ project_name: "P", equipment_id: "E", run_kind: "test",
 *   run_path: "E/P/TestRuns/TestRun_2026-04-17T14-32", transport: "smb_mount" }, "2026-04-17T14:35:00Z", "labpc-04");
 * ```
 */
export function newIngestRecord(input: IngestInput, at: string, host: string): IngestJson {
  const given = validateInput(INGEST, input) as Readonly<Record<string, unknown>>;
  const stamped = ["current_state", "history"].filter((k) => given[k] !== undefined);
  if (stamped.length > 0) {
    const issues = stamped.map((k) => ({ path: k, expected: "no such field", received: describe(given[k]), message: `\`${k}\` is the writer's: a new ingest.json starts at \`staging\`` }));
    throw new ValidationError(issues, { what: INGEST.payload });
  }
  const entry = ingestHistoryEntry("staging", at, host, { host }, "");
  return { schema_version: INGEST_VERSION, ...(given as IngestInput), current_state: "staging", history: [entry] };
}

/**
 * The text of `record` written onto `base`, the document it came from (omit
 * for a new file): unknown members at every depth and the raw text of
 * unchanged values stay; the version is 1.1 for a new file or an older
 * minor, the file's own for a newer minor.
 *
 * @throws {@link ValidationError} when the record breaks the schema.
 * @example
 * ```ts
 * const text = encodeIngest(newIngestRecord(input, at, host));
 * ```
 */
export function encodeIngest(record: IngestJson, base?: IngestDocument, path?: string): string {
  return encodeDocument(INGEST, record, base, path);
}
