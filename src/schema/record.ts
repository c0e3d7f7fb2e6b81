/**
 * A cache record kind described once: its file name, its place in the tree,
 * its fields (in on-disk order) and how each is written, its schema version
 * and its write policy. From one descriptor come the TypeScript types
 * ({@link RecordOf}, {@link InputOf}), the validators, the JSON Schema, the
 * writer's stamping and key order, and what the tree walk and the CLI look
 * for. Fields may be nested objects, arrays, enums, nullable values or
 * free-form JSON (`combinators.ts`); the descriptors themselves are in
 * `equipment.ts`, `marker.ts` and `kinds/`, and listed in `registry.ts`.
 *
 * @module
 */
import { SchemaMajorMismatchError, ValidationError, type ValidationIssue } from "../errors.js";
import { decodeJsonObject } from "./_decode.js";
import { collectIssues, typedView, type WalkContext } from "./_shape.js";
import { fieldSchema, object, type FieldValueOf } from "./combinators.js";
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
  /** The values it may hold (a plain rule, or a combinator for nested values). */
  readonly rule: Rule<T, unknown>;
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
   * When set, the field may be missing from a file and reads as this value,
   * and a write leaves it out whenever it equals this value (the omission
   * rule of the Python application's encoder, at every depth).
   * @default undefined (the field is always written)
   */
  readonly default?: T;
  /**
   * The minor version that made the field required: a file of an older
   * minor may lack it (it then reads as undefined); every write has it.
   */
  readonly since?: number;
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
 * subfolder (`<project>/<folder>/.exlab-wizard/`), or in the cache folder of
 * every project folder and every run folder (`project-or-run`).
 */
export type RecordPlace =
  | { readonly level: "equipment" }
  | { readonly level: "project"; readonly folder: string }
  | { readonly level: "project-or-run" };

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

type InputValue<F> = F extends { readonly rule: Rule<unknown, infer I> } ? I : never;
type Defaulted<F> = F extends { readonly default: unknown } | { readonly absent: unknown } ? true : false;

/** The record as read and written: every field present (defaults filled in). */
export type RecordOf<D extends RecordDescriptor> = {
  -readonly [F in D["fields"][number] as F["key"]]: FieldValueOf<F>;
};

/** What a write accepts: required fields; optional, defaulted and stamped ones (as strings, unread) may be present. */
export type InputOf<D extends RecordDescriptor> = {
  -readonly [F in D["fields"][number] as F["input"] extends "required" ? (Defaulted<F> extends true ? never : F["key"]) : never]: InputValue<F>;
} & {
  -readonly [F in D["fields"][number] as F["input"] extends "optional" ? F["key"] : Defaulted<F> extends true ? (F["input"] extends "stamped" ? never : F["key"]) : never]?: InputValue<F>;
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

const bodies = new WeakMap<RecordDescriptor, Rule>();

/** The descriptor's fields as one object rule (what the document codec walks). */
export function bodyRuleOf(d: RecordDescriptor): Rule {
  let rule = bodies.get(d);
  if (rule === undefined) {
    rule = object(d.fields);
    bodies.set(d, rule);
  }
  return rule;
}

/** The minor version a descriptor writes. */
export function minorOf(d: RecordDescriptor): number {
  return parseSchemaVersion(d.version)?.minor ?? 0;
}

/**
 * Issues of an already-decoded object against the record's fields, at every
 * depth (members it does not know are allowed). `context` defaults to a
 * file of the descriptor's own minor.
 */
export function recordIssues(d: RecordDescriptor, obj: Readonly<Record<string, unknown>>, context?: WalkContext): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  collectIssues(bodyRuleOf(d), obj, undefined, "", context ?? { mode: "read", minor: minorOf(d), openEnums: false }, issues);
  return issues;
}

/** The known fields of a decoded, valid object, in on-disk order, defaults filled in. */
export function pickRecord<D extends RecordDescriptor>(d: D, obj: Readonly<Record<string, unknown>>): RecordOf<D> {
  return typedView(bodyRuleOf(d), obj) as RecordOf<D>;
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
  // Judged at the file's own minor: enums are open above ours, and a field
  // a later minor made required may be missing below it.
  const minor = parseSchemaVersion(obj["schema_version"])?.minor ?? 0;
  const issues = recordIssues(d, obj, { mode: "read", minor, openEnums: minor > minorOf(d) });
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
  collectIssues(bodyRuleOf(d), copy, undefined, "", { mode: "input", minor: minorOf(d), openEnums: false }, issues);
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
  for (const f of d.fields) properties[f.key] = fieldSchema(f);
  // A field a later minor made required is required only in files of that
  // minor or later.
  const since = d.fields.filter((f) => f.since !== undefined && f.default === undefined && f.absent === undefined);
  const older = (minor: number): string => `^${d.major}\\.(${Array.from({ length: minor }, (_, i) => i).join("|")})$`;
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: `https://exlab-wizard.org/schema/${d.file}`,
    title: d.file,
    type: "object",
    required: d.fields.filter((f) => f.absent === undefined && f.default === undefined && f.since === undefined).map((f) => f.key),
    properties,
    additionalProperties: true,
    ...(since.length === 0
      ? {}
      : {
          allOf: since.map((f) => ({
            if: { required: ["schema_version"], properties: { schema_version: { type: "string", pattern: older(f.since ?? 0) } } },
            else: { required: [f.key], properties: { [f.key]: true } },
          })),
        }),
  };
}

/** The schema-version refusal of a decoded object whose version cannot be parsed. */
export function unparsedVersionError(d: RecordDescriptor, found: unknown, path: string | undefined): SchemaMajorMismatchError {
  return new SchemaMajorMismatchError(d.major, describe(found, "plain"), { path });
}
