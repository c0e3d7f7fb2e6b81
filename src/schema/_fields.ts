/**
 * The small vocabulary the three records are written in: a rule per kind of
 * field, each knowing how to test a value, how to say what it expected, and
 * how to describe itself in JSON Schema. A record is a list of fields; from
 * that one list come its validator, its encoder's key order and its JSON
 * Schema.
 */
import { ValidationError, type ValidationIssue } from "../errors.js";

/** One kind of value a field may hold. */
export interface Rule {
  /** What the rule wants, for messages: "string matching ...". */
  readonly expected: string;
  /** Why `value` fails, or undefined when it passes. */
  readonly check: (value: unknown) => string | undefined;
  /** The rule as a JSON Schema fragment. */
  readonly schema: Readonly<Record<string, unknown>>;
}

/** A named field of a record. */
export interface Field {
  readonly key: string;
  readonly rule: Rule;
  readonly required: boolean;
  readonly description: string;
}

export const ID_PATTERN = "^[A-Z][A-Z0-9_]*$";
export const ID_MAX = 32;
const ID_RE = new RegExp(ID_PATTERN);

export const TIMESTAMP_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$";
const TIMESTAMP_RE = new RegExp(TIMESTAMP_PATTERN);

export const VERSION_PATTERN = "^(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)$";
export const VERSION_RE = new RegExp(VERSION_PATTERN);

/** A short, safe rendering of any value for error messages. */
export function describe(value: unknown): string {
  if (value === undefined) return "missing";
  if (value === null) return "null";
  if (typeof value === "string") {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return `\`${JSON.stringify(shown).slice(1, -1)}\``;
  }
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return `${typeof value} ${value}`;
  return `a ${typeof value}`;
}

function stringRule(expected: string, schema: Record<string, unknown>, test: (s: string) => boolean): Rule {
  return {
    expected,
    schema: { type: "string", ...schema },
    check: (v) => (typeof v === "string" && test(v) ? undefined : expected),
  };
}

/** True when `id` follows the equipment id grammar (§3.1). */
export function isEquipmentId(id: unknown): id is string {
  return typeof id === "string" && id.length <= ID_MAX && ID_RE.test(id);
}

/**
 * True when `ts` is `YYYY-MM-DDTHH:MM:SSZ` and names a real instant (§13.4)
 * that Python's `datetime` can hold: years 0001-9999 (year 0000 matches the
 * pattern but `strptime` refuses it).
 */
export function isTimestamp(ts: unknown): ts is string {
  if (typeof ts !== "string" || !TIMESTAMP_RE.test(ts) || ts.startsWith("0000")) return false;
  const ms = Date.parse(ts);
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 19) === ts.slice(0, 19);
}

// A lone UTF-16 surrogate cannot be encoded as UTF-8: Python's encoder would
// refuse it, and JSON.stringify would write an escape no reader wants.
const LONE_SURROGATE = /\p{Cs}/u;

const RESERVED = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])$/i;
const FORBIDDEN = /[<>:"/\\|?*]/;
const NOT_PRINTABLE_ASCII = /[^\x20-\x7e]/;

/**
 * Why `name` is not a valid project folder name (§3.2), or undefined when it
 * is: 1–255 printable ASCII characters, no surrounding whitespace, no final
 * dot, none of `< > : " / \ | ? *`, not a Windows device name.
 */
export function projectNameProblem(name: unknown): string | undefined {
  if (typeof name !== "string") return "not a string";
  if (name.length === 0) return "empty";
  if (name.length > 255) return `${name.length} characters long (max 255)`;
  if (NOT_PRINTABLE_ASCII.test(name)) return "not printable ASCII";
  if (name.trim() !== name) return "leading or trailing whitespace";
  if (name.endsWith(".")) return "ends with a dot";
  if (FORBIDDEN.test(name)) return 'contains one of < > : " / \\ | ? *';
  const stem = (name.split(".")[0] ?? "").trim();
  if (RESERVED.test(stem)) return "a reserved device name";
  return undefined;
}

export const rules = {
  equipmentId: stringRule(
    `string matching ${ID_PATTERN} (max ${ID_MAX})`,
    { pattern: ID_PATTERN, maxLength: ID_MAX },
    (s) => isEquipmentId(s),
  ),
  timestamp: stringRule(
    "UTC timestamp YYYY-MM-DDTHH:MM:SSZ",
    { pattern: TIMESTAMP_PATTERN },
    (s) => isTimestamp(s),
  ),
  text: stringRule("non-empty string of well-formed Unicode", { minLength: 1 }, (s) => s.length > 0 && !LONE_SURROGATE.test(s)),
  schemaVersion: stringRule("MAJOR.MINOR version string", { pattern: VERSION_PATTERN }, (s) =>
    VERSION_RE.test(s),
  ),
  projectName: {
    expected: "project folder name (1-255 printable ASCII, no < > : \" / \\ | ? *, no final dot, not a device name)",
    schema: { type: "string", minLength: 1, maxLength: 255, pattern: "^[\\x20-\\x7e]+$" },
    check: (v: unknown) => {
      const problem = projectNameProblem(v);
      return problem === undefined ? undefined : `project folder name (${problem})`;
    },
  },
  /** Accepts anything: for input fields that are allowed but not used. */
  ignored: { expected: "anything", schema: {}, check: () => undefined } as Rule,
  literal(value: string): Rule {
    return stringRule(`"${value}"`, { const: value }, (s) => s === value);
  },
} as const;

/** Shorthand for a field. */
export function field(key: string, rule: Rule, description: string, required = true): Field {
  return { key, rule, required, description };
}

/**
 * Check `obj` against `fields`, appending one issue per bad field to
 * `issues`. With `strict`, keys not among `fields` are issues too.
 */
export function checkFields(
  obj: Readonly<Record<string, unknown>>,
  fields: readonly Field[],
  issues: ValidationIssue[],
  strict = false,
  prefix = "",
): void {
  for (const f of fields) {
    const value = Object.hasOwn(obj, f.key) ? obj[f.key] : undefined;
    if (value === undefined && !f.required) continue;
    const why = value === undefined ? f.rule.expected : f.rule.check(value);
    if (why !== undefined) {
      const at = prefix + f.key;
      issues.push({
        path: at,
        expected: why,
        received: describe(value),
        message: `Expected \`${at}\` to be ${why}, got ${describe(value)}`,
      });
    }
  }
  if (!strict) return;
  const known = new Set(fields.map((f) => f.key));
  for (const key of Object.keys(obj)) {
    if (known.has(key)) continue;
    const at = prefix + key;
    issues.push({ path: at, expected: "no such field", received: describe(obj[key]), message: `Unknown field \`${at}\`` });
  }
}

/** The JSON Schema (draft 2020-12) of a record made of `fields`. */
export function jsonSchemaOf(id: string, title: string, fields: readonly Field[]): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const f of fields) properties[f.key] = { description: f.description, ...f.rule.schema };
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: id,
    title,
    type: "object",
    required: fields.filter((f) => f.required).map((f) => f.key),
    properties,
    additionalProperties: true,
  };
}

/**
 * Check a write payload strictly against `fields` (unknown keys are issues:
 * they are typos more often than not).
 *
 * @throws {@link ValidationError} listing every problem.
 */
export function checkInput(payload: unknown, fields: readonly Field[], what: string): Record<string, unknown> {
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    const issue = { path: "", expected: "an object", received: describe(payload), message: `Expected the ${what} to be an object, got ${describe(payload)}` };
    throw new ValidationError([issue], { what });
  }
  // Read each field exactly once into a frozen copy and validate the copy: a
  // caller mutating its object (or a getter answering differently) after the
  // call cannot change what was validated and is about to be written.
  const source = payload as Record<string, unknown>;
  const copy: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(source)) {
    Object.defineProperty(copy, key, { value: source[key], enumerable: true });
  }
  Object.freeze(copy);
  const issues: ValidationIssue[] = [];
  checkFields(copy, fields, issues, true);
  if (issues.length > 0) throw new ValidationError(issues, { what });
  return copy;
}
