/**
 * A cache record kind described once: its file name, its place in the tree,
 * its fields (in on-disk order) and how each is written, its schema version
 * and its write policy. From one descriptor come the TypeScript types
 * ({@link RecordOf}, {@link InputOf}), the validators, the JSON Schema, the
 * writer's stamping and key order, and what the tree walk and the CLI look
 * for. The descriptors themselves are in `equipment.ts` and `marker.ts`, and
 * listed in `registry.ts`.
 *
 * @module
 */
import { SchemaMajorMismatchError, ValidationError, type ValidationIssue } from "../errors.js";
import { decodeJsonObject } from "./_decode.js";
import { describe, type Rule } from "./rules.js";
import { parseSchemaVersion, requireSchemaMajor } from "./version.js";

/**
 * How a write payload treats a field: `"required"` (the caller gives it),
 * `"optional"` (the caller may give it; the writer stamps it when absent), or
 * `"stamped"` (the writer always sets it; a payload may carry it, say a
 * record read earlier, but its value is not looked at).
 */
export type FieldInput = "required" | "optional" | "stamped";

/** One field of a record. */
export interface FieldSpec<K extends string = string, T = unknown> {
  /** The on-disk key. */
  readonly key: K;
  /** The values it may hold. */
  readonly rule: Rule<T>;
  /** One sentence, for the JSON Schema. */
  readonly description: string;
  /** How a write payload treats it. */
  readonly input: FieldInput;
  /**
   * When set, the field may be missing from a file, and reads as this value
   * (`run_kind`, which the Python application omits in `test_runs.json`).
   */
  readonly absent?: T;
  /**
   * The key of the `config.yaml` entry this field mirrors (`local_root` for
   * `configured_local_root`): `sync` takes it from there, and a change in it
   * is what makes a re-sync rewrite the file.
   */
  readonly mirrors?: string;
}

/**
 * Where a record lives under `<local_root>/<EQUIPMENT_ID>/`: in the
 * equipment folder's own cache folder, or in the cache folder of a project
 * subfolder (`<project>/<folder>/.exlab-wizard/`).
 */
export type RecordPlace = { readonly level: "equipment" } | { readonly level: "project"; readonly folder: string };

/**
 * What a write does with a file that exists: `"rewrite"` replaces it,
 * keeping members it does not know and the first write's `first_seen_at`;
 * `"write-once"` leaves it as it is, byte for byte.
 */
export type WritePolicy = "rewrite" | "write-once";

/** Everything per-kind about a cache record. */
export interface RecordDescriptor<F extends readonly FieldSpec[] = readonly FieldSpec[]> {
  /** The file name, `equipment.json`. */
  readonly file: string;
  /** Where the file lives in the tree. */
  readonly place: RecordPlace;
  /** The fields, in on-disk order. */
  readonly fields: F;
  /** The major version this package reads and writes. */
  readonly major: number;
  /** The version written into a new file. */
  readonly version: string;
  /** What a write does with an existing file. */
  readonly write: WritePolicy;
  /** How messages name a write payload: `equipment payload`. */
  readonly payload: string;
}

type FieldValue<F> = F extends FieldSpec<string, infer T> ? T : never;

/** The record as read and written: every field, present. */
export type RecordOf<D extends RecordDescriptor> = {
  -readonly [F in D["fields"][number] as F["key"]]: FieldValue<F>;
};

/** What a write accepts: required fields; optional ones and stamped ones (as strings, unread) may be present. */
export type InputOf<D extends RecordDescriptor> = {
  -readonly [F in D["fields"][number] as F["input"] extends "required" ? F["key"] : never]: FieldValue<F>;
} & {
  -readonly [F in D["fields"][number] as F["input"] extends "optional" ? F["key"] : never]?: FieldValue<F>;
} & {
  -readonly [F in D["fields"][number] as F["input"] extends "stamped" ? F["key"] : never]?: string;
};

/**
 * Declare a record kind. Only checks the descriptor's own consistency (a
 * key once, a version of its major); everything else is derived from it.
 *
 * @throws TypeError for a descriptor that contradicts itself.
 * @example
 * ```ts
 * export const NOTE = defineRecord({ file: "note.json", place: { level: "equipment" }, fields: [...] as const, ... });
 * ```
 */
export function defineRecord<const F extends readonly FieldSpec[], const N extends string, const P extends RecordPlace>(
  descriptor: RecordDescriptor<F> & { readonly file: N; readonly place: P },
): RecordDescriptor<F> & { readonly file: N; readonly place: P } {
  const keys = descriptor.fields.map((f) => f.key);
  if (new Set(keys).size !== keys.length) throw new TypeError(`${descriptor.file}: a field key appears twice`);
  if (parseSchemaVersion(descriptor.version)?.major !== descriptor.major) {
    throw new TypeError(`${descriptor.file}: version ${descriptor.version} is not of major ${descriptor.major}`);
  }
  return Object.freeze(descriptor);
}

/** The fields of `d` that mirror a `config.yaml` entry, in on-disk order. */
export type MirroredKey<D extends RecordDescriptor> = Extract<D["fields"][number], { readonly mirrors: string }>["key"];

function issue(at: string, why: string, value: unknown): ValidationIssue {
  return { path: at, expected: why, received: describe(value), message: `Expected \`${at}\` to be ${why}, got ${describe(value)}` };
}

/** Issues of an already-decoded object against the record's fields (members it does not know are allowed). */
export function recordIssues(d: RecordDescriptor, obj: Readonly<Record<string, unknown>>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const f of d.fields) {
    const value = Object.hasOwn(obj, f.key) ? obj[f.key] : undefined;
    if (value === undefined && f.absent !== undefined) continue;
    const why = value === undefined ? f.rule.expected : f.rule.check(value);
    if (why !== undefined) issues.push(issue(f.key, why, value));
  }
  return issues;
}

/** The known fields of a decoded, valid object, in on-disk order, defaults filled in. */
export function pickRecord<D extends RecordDescriptor>(d: D, obj: Readonly<Record<string, unknown>>): RecordOf<D> {
  const out: Record<string, unknown> = {};
  for (const f of d.fields) out[f.key] = Object.hasOwn(obj, f.key) && obj[f.key] !== undefined ? obj[f.key] : f.absent;
  return out as RecordOf<D>;
}

/**
 * Decode and validate the bytes of a record. The version is checked first:
 * a file of another major is refused before any other field is looked at.
 * Members this version does not know are left out of the result.
 *
 * @throws {@link MalformedFileError}, {@link SchemaMajorMismatchError}, {@link ValidationError}
 */
export function parseRecord<D extends RecordDescriptor>(d: D, bytes: Uint8Array, path?: string): RecordOf<D> {
  const obj = decodeJsonObject(bytes, path);
  requireSchemaMajor(obj["schema_version"] as string, { expectedMajor: d.major, path });
  const issues = recordIssues(d, obj);
  if (issues.length > 0) throw new ValidationError(issues, { path });
  return pickRecord(d, obj);
}

/**
 * Check a write payload strictly (unknown keys are issues: they are typos
 * more often than not). Stamped fields may be present with any value.
 *
 * @returns a frozen copy, each field read exactly once: a caller mutating
 *   its object (or a getter answering differently) after the call cannot
 *   change what was validated and is about to be written.
 * @throws {@link ValidationError} listing every problem.
 */
export function validateInput<D extends RecordDescriptor>(d: D, payload: unknown): InputOf<D> {
  const what = d.payload;
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    const got = describe(payload);
    throw new ValidationError([{ path: "", expected: "an object", received: got, message: `Expected the ${what} to be an object, got ${got}` }], { what });
  }
  const source = payload as Record<string, unknown>;
  const copy: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(source)) Object.defineProperty(copy, key, { value: source[key], enumerable: true });
  Object.freeze(copy);
  const issues: ValidationIssue[] = [];
  for (const f of d.fields) {
    if (f.input === "stamped") continue;
    const value = Object.hasOwn(copy, f.key) ? copy[f.key] : undefined;
    if (value === undefined && f.input === "optional") continue;
    const why = value === undefined ? f.rule.expected : f.rule.check(value);
    if (why !== undefined) issues.push(issue(f.key, why, value));
  }
  const known = new Set(d.fields.map((f) => f.key));
  for (const key of Object.keys(copy)) {
    if (!known.has(key)) issues.push({ path: key, expected: "no such field", received: describe(copy[key]), message: `Unknown field \`${key}\`` });
  }
  if (issues.length > 0) throw new ValidationError(issues, { what });
  return copy as InputOf<D>;
}

/**
 * The record a write puts on disk: each stamped field from `stamps`, each
 * input field from `input`, an optional one absent from the input from
 * `stamps`.
 */
export function stampRecord<D extends RecordDescriptor>(d: D, input: InputOf<D>, stamps: Readonly<Record<string, unknown>>): RecordOf<D> {
  const given = input as Readonly<Record<string, unknown>>;
  const out: Record<string, unknown> = {};
  for (const f of d.fields) out[f.key] = f.input === "stamped" || given[f.key] === undefined ? stamps[f.key] : given[f.key];
  return out as RecordOf<D>;
}

/**
 * Compact JSON in the descriptor's key order, followed by `extras` (members
 * carried over from an existing file as raw JSON text): no spaces, UTF-8,
 * no trailing newline, the bytes the Python application writes.
 */
export function encodeRecordOf<D extends RecordDescriptor>(d: D, record: RecordOf<D>, extras: readonly (readonly [string, string])[] = []): string {
  const values = record as Readonly<Record<string, unknown>>;
  const parts: string[] = [];
  for (const f of d.fields) parts.push(`${JSON.stringify(f.key)}:${JSON.stringify(values[f.key])}`);
  for (const [k, raw] of extras) parts.push(`${JSON.stringify(k)}:${raw}`);
  return `{${parts.join(",")}}`;
}

/**
 * The problem with a record whose encoding is over `limit` bytes (the read
 * bound: a file written larger could never be read back, and every later
 * rewrite would judge it corrupt), or undefined when it fits. The issue
 * names the largest member, the one a caller has to shorten.
 *
 * @example
 * ```ts
 * const issue = oversizeIssue(EQUIPMENT, record, [], 1 << 20);
 * if (issue !== undefined) throw new ValidationError([issue], { path });
 * ```
 */
export function oversizeIssue<D extends RecordDescriptor>(
  d: D,
  record: RecordOf<D>,
  extras: readonly (readonly [string, string])[],
  limit: number,
): ValidationIssue | undefined {
  const size = Buffer.byteLength(encodeRecordOf(d, record, extras), "utf8");
  if (size <= limit) return undefined;
  const values = record as Readonly<Record<string, unknown>>;
  const members: [string, number][] = d.fields.map((f) => [f.key, Buffer.byteLength(JSON.stringify(values[f.key]) ?? "", "utf8")]);
  for (const [k, raw] of extras) members.push([k, Buffer.byteLength(raw, "utf8")]);
  const [field] = members.reduce((a, b) => (b[1] > a[1] ? b : a));
  return {
    path: field,
    expected: `short enough for the record to fit the ${limit}-byte read bound`,
    received: `a record of ${size} bytes`,
    message: `Expected \`${field}\` to be short enough for the record to fit the ${limit}-byte read bound, got a record of ${size} bytes; a larger file could not be read back`,
  };
}

/** The JSON Schema (draft 2020-12) of a record kind. */
export function jsonSchemaOf(d: RecordDescriptor): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const f of d.fields) {
    properties[f.key] = { description: f.description, ...f.rule.schema, ...(f.absent === undefined ? {} : { default: f.absent }) };
  }
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: `https://exlab-wizard.org/schema/${d.file}`,
    title: d.file,
    type: "object",
    required: d.fields.filter((f) => f.absent === undefined).map((f) => f.key),
    properties,
    additionalProperties: true,
  };
}

/** The schema-version refusal of a decoded object whose version cannot be parsed. */
export function unparsedVersionError(d: RecordDescriptor, found: unknown, path: string | undefined): SchemaMajorMismatchError {
  return new SchemaMajorMismatchError(d.major, describe(found, "plain"), { path });
}
