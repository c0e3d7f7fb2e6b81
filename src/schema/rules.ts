/**
 * The small vocabulary the records are written in: a rule per kind of field,
 * each knowing how to test a value, how to say what it expected, and how to
 * describe itself in JSON Schema, and carrying (as a type only) the
 * TypeScript type of the values it accepts. Records are built from these in
 * `record.ts`.
 *
 * @module
 */

/**
 * One kind of value a field may hold; `T` is the TypeScript type of the
 * values it accepts.
 */
export interface Rule<T = unknown, I = T> {
  /** What the rule wants, for messages: "string matching ...". */
  readonly expected: string;
  /**
   * Why `value` fails, or undefined when it passes. `raw` is the number's
   * text in the file, when the value was read from one (`1.0` is not an
   * integer there, though JavaScript cannot tell it from `1`).
   */
  readonly check: (value: unknown, raw?: string) => string | undefined;
  /**
   * The rule as a JSON Schema fragment, as tight as JSON Schema allows: it
   * accepts exactly the values `check` accepts (test/schema-parity.test.ts).
   */
  readonly schema: Readonly<Record<string, unknown>>;
  /** Never set: carries `T` for the types derived from a record's fields. */
  readonly type?: T;
  /** Never set: carries the type a write payload gives (`T` with defaulted members optional). */
  readonly inputType?: I;
  /**
   * What the value is made of, for the combinators of `combinators.ts`
   * (objects, arrays, nullable values, enums, free-form JSON); absent for a
   * plain value.
   */
  readonly shape?: Shape;
}

/** The structure a combinator rule describes; see `combinators.ts`. */
export type Shape =
  | { readonly kind: "object"; readonly fields: readonly NestedField[] }
  | { readonly kind: "array"; readonly item: Rule }
  | { readonly kind: "nullable"; readonly inner: Rule }
  | { readonly kind: "enum"; readonly values: readonly string[] }
  | { readonly kind: "json"; readonly object: boolean };

/** The parts of a field a combinator looks at (a `FieldSpec` is one). */
export interface NestedField {
  readonly key: string;
  readonly rule: Rule;
  readonly description: string;
  readonly default?: unknown;
  readonly absent?: unknown;
  readonly since?: number;
  readonly input?: "required" | "optional" | "stamped";
}

export const ID_PATTERN = "^[A-Z][A-Z0-9_]*$";
export const ID_MAX = 32;
const ID_RE = new RegExp(ID_PATTERN);

/** The shape of `YYYY-MM-DDTHH:MM:SSZ`, digits only. */
const TIMESTAMP_SHAPE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$/;

// The calendar in a regular expression, for the JSON Schema: a four-digit
// year is a leap year when its last two digits are a multiple of 4 other
// than 00, or when it is 00 and the first two are a multiple of 4 (so 2000
// is one, 1900 is not). Year 0000 is refused, as Python's datetime refuses it.
const LEAP_YEAR = "(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)";
const MONTH_DAY =
  "(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))";
const TIME = "T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z";

/**
 * `YYYY-MM-DDTHH:MM:SSZ` naming a real instant in years 0001-9999: month
 * 01-12, a day the month has (29 February in leap years only), hour 00-23,
 * no leap second. The JSON Schema of every timestamp field uses it.
 */
export const TIMESTAMP_PATTERN = `^(?!0000)(?:[0-9]{4}-${MONTH_DAY}|${LEAP_YEAR}-02-29)${TIME}$`;

export const VERSION_PATTERN = "^(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)$";
export const VERSION_RE = new RegExp(VERSION_PATTERN);

const PLAIN_MAX = 64;

/**
 * A short, safe rendering of any value for messages. Never the JSON of a
 * container: a file can nest one deeply enough to overflow the stack of
 * `JSON.stringify`, or make it megabytes long.
 *
 * @param style - `"quoted"` (the default, for field values): a string in
 *   backticks with its JSON escapes, cut at 60 characters, a number as
 *   `number 3`; `"plain"` (for a found schema version): a string as it is,
 *   cut at 64 characters, a scalar as its text.
 * @example
 * ```ts
 * describe("a\nb"); // "`a\\nb`"
 * describe(2, "plain"); // "2"
 * ```
 */
export function describe(value: unknown, style: "quoted" | "plain" = "quoted"): string {
  if (value === undefined) return "missing";
  if (value === null) return "null";
  if (style === "plain") {
    if (typeof value === "string") return value.length > PLAIN_MAX ? `${value.slice(0, PLAIN_MAX - 3)}...` : value;
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    return Array.isArray(value) ? "an array" : `a${typeof value === "object" ? "n object" : ` ${typeof value}`}`;
  }
  if (typeof value === "string") {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return `\`${JSON.stringify(shown).slice(1, -1)}\``;
  }
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return `${typeof value} ${value}`;
  return `a ${typeof value}`;
}

function stringRule<T extends string = string>(expected: string, schema: Record<string, unknown>, test: (s: string) => boolean): Rule<T> {
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
  if (typeof ts !== "string" || !TIMESTAMP_SHAPE.test(ts) || ts.startsWith("0000")) return false;
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

// Printable ASCII but none of < > : " / \ | ? *, and the same without the
// space and the dot, for the last character.
const NAME_CHAR = '[ !#-)+-.0-9;=@-\\[\\]-{}~]';
const NAME_LAST = '[!#-)+,\\-0-9;=@-\\[\\]-{}~]';
const DEVICE = ["con", "prn", "aux", "nul", "com[1-9]", "lpt[1-9]"]
  .map((d) => d.replace(/[a-z]/g, (c) => `[${c.toUpperCase()}${c}]`))
  .join("|");

/**
 * {@link projectNameProblem} as a regular expression, for the JSON Schema
 * (which has no case-insensitive flag, hence `[Cc]` spellings): no leading
 * space, not a device name before the first dot, allowed characters, and a
 * last character that is neither a space nor a dot.
 */
export const PROJECT_NAME_PATTERN = `^(?! )(?!(?:${DEVICE}) *(?:\\.|$))${NAME_CHAR}*${NAME_LAST}$`;

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
  // In JSON Schema (matched per code point), a character in the surrogate
  // range can only be a lone surrogate: a pair is one astral code point.
  text: stringRule(
    "non-empty string of well-formed Unicode",
    { minLength: 1, pattern: "^[^\\uD800-\\uDFFF]*$" },
    (s) => s.length > 0 && !LONE_SURROGATE.test(s),
  ),
  /**
   * `MAJOR.MINOR`. The check takes any major (the major is compared first,
   * with its own error, see `requireSchemaMajor`); the JSON Schema is of
   * files of `major` and says so, with the 32-character bound of
   * `parseSchemaVersion`.
   */
  schemaVersion(major: number): Rule<string> {
    return stringRule("MAJOR.MINOR version string", { pattern: `^${major}\\.(0|[1-9][0-9]*)$`, maxLength: 32 }, (s) => VERSION_RE.test(s));
  },
  projectName: {
    expected: "project folder name (1-255 printable ASCII, no < > : \" / \\ | ? *, no final dot, not a device name)",
    schema: { type: "string", minLength: 1, maxLength: 255, pattern: PROJECT_NAME_PATTERN },
    check: (v: unknown) => {
      const problem = projectNameProblem(v);
      return problem === undefined ? undefined : `project folder name (${problem})`;
    },
  } as Rule<string>,
  /** Any string, the empty one included (lone surrogates are refused only when writing). */
  string: { expected: "string", schema: { type: "string" }, check: (v: unknown) => (typeof v === "string" ? undefined : "string") } as Rule<string>,
  /** `true` or `false`. */
  boolean: { expected: "boolean", schema: { type: "boolean" }, check: (v: unknown) => (typeof v === "boolean" ? undefined : "boolean") } as Rule<boolean>,
  /**
   * A JSON integer within JavaScript's safe range, written without a
   * fraction or exponent: `1.0`, `1e3` and `true` are refused, as the
   * application's typed decode refuses them.
   */
  integer: {
    expected: "integer",
    schema: { type: "integer", minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER },
    check: (v: unknown, raw?: string) =>
      typeof v === "number" && Number.isSafeInteger(v) && (raw === undefined || /^-?[0-9]+$/.test(raw)) ? undefined : "integer",
  } as Rule<number>,
  /** Accepts anything: for input fields that are allowed but not used. */
  ignored: { expected: "anything", schema: {}, check: () => undefined } as Rule,
  literal<const T extends string>(value: T): Rule<T> {
    return stringRule<T>(`"${value}"`, { const: value }, (s) => s === value);
  },
} as const;
