/**
 * PyYAML's `SafeLoader` for scalars: which tag a plain scalar resolves to
 * (its YAML 1.1 implicit resolvers, tried in PyYAML's order by the first
 * character), and what each standard tag's constructor makes of the text,
 * down to the Python built-ins it calls (`int()`, `float()`,
 * `base64.decodebytes`), so that a text Python reads is read and one it
 * refuses is refused.
 *
 * @module
 */
import type { PyValue } from "./_values.js";

export const Y = "tag:yaml.org,2002:";

// PyYAML's implicit resolvers. Python's `$` also matches before a final
// line break, which only a quoted scalar under the `!` tag can end with.
const BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)\n?$/;
const FLOAT = /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))\n?$/;
const INT = /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)\n?$/;
const MERGE = /^(?:<<)\n?$/;
const NULL = /^(?:~|null|Null|NULL|)\n?$/;
const TIMESTAMP = /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)\n?$/;
const VALUE = /^(?:=)\n?$/;
// PyYAML resolves these to a tag it has no constructor for.
const YAML_INDICATOR = /^(?:!|&|\*)\n?$/;
// What `!!timestamp` reads (PyYAML matches it, then takes the groups).
const TIMESTAMP_PARTS = /^([0-9][0-9][0-9][0-9])-([0-9][0-9]?)-([0-9][0-9]?)(?:(?:[Tt]|[ \t]+)([0-9][0-9]?):([0-9][0-9]):([0-9][0-9])(?:\.([0-9]*))?(?:[ \t]*(Z|([-+])([0-9][0-9]?)(?::([0-9][0-9]))?))?)?\n?$/;

// Resolvers by first character, in the order PyYAML adds them.
const RESOLVERS: [RegExp, string, string][] = [
  [BOOL, "bool", "yYnNtTfFoO"],
  [FLOAT, "float", "-+0123456789."],
  [INT, "int", "-+0123456789"],
  [MERGE, "merge", "<"],
  [NULL, "null", "~nN"],
  [TIMESTAMP, "timestamp", "0123456789"],
  [VALUE, "value", "="],
  [YAML_INDICATOR, "yaml", "!&*"],
];

/** The tag PyYAML resolves a plain (or `!`-tagged) scalar to. */
export function resolvePlain(value: string): string {
  if (value === "") return Y + "null";
  const first = value[0] ?? "";
  for (const [re, name, firsts] of RESOLVERS) {
    if (firsts.includes(first) && re.test(value)) return Y + name;
  }
  return Y + "str";
}

/** A constructor's refusal; the caller places it. */
export class ConstructError extends Error {}

// Python's str.strip() (and int()/float()) whitespace.
const PY_SPACE = "\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, "gu");

/** Python's int()/float() read any Unicode decimal digit as its ASCII one. */
function asciiDigits(s: string): string {
  return s.replace(/\p{Nd}/gu, (c) => {
    let cp = c.codePointAt(0) ?? 48;
    let run = 0;
    while (run < 9 && /\p{Nd}/u.test(String.fromCodePoint(cp - 1))) {
      cp--;
      run++;
    }
    return String(run % 10);
  });
}

/** Python's `int(s, base)` for a string without underscores. */
function pyInt(text: string, base: 2 | 8 | 10 | 16): bigint {
  let s = asciiDigits(text.replace(STRIP, ""));
  let negative = false;
  if (s.startsWith("-") || s.startsWith("+")) {
    negative = s.startsWith("-");
    s = s.slice(1);
  }
  const prefix = base === 2 ? /^0[bB]/ : base === 8 ? /^0[oO]/ : base === 16 ? /^0[xX]/ : undefined;
  if (prefix !== undefined && prefix.test(s)) s = s.slice(2);
  const digits = base === 2 ? /^[01]+$/ : base === 8 ? /^[0-7]+$/ : base === 16 ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/;
  if (!digits.test(s)) throw new ConstructError(`invalid literal for int() with base ${base}: '${text}'`);
  const radix = base === 2 ? "0b" : base === 8 ? "0o" : base === 16 ? "0x" : "";
  const n = BigInt(radix + s);
  return negative ? -n : n;
}

/** Python's `float(s)` for a string without underscores. */
function pyFloat(text: string): number {
  const s = asciiDigits(text.replace(STRIP, "")).toLowerCase();
  const m = /^([-+]?)(?:((?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[-+]?[0-9]+)?)|(inf|infinity)|(nan))$/.exec(s);
  if (m === null) throw new ConstructError(`could not convert string to float: '${text}'`);
  const sign = m[1] === "-" ? -1 : 1;
  if (m[3] !== undefined) return sign * Infinity;
  if (m[4] !== undefined) return NaN;
  return sign * Number(m[2]);
}

function constructInt(value: string): bigint {
  let s = value.replace(/_/g, "");
  if (s === "") throw new ConstructError("string index out of range");
  let sign = 1n;
  if (s[0] === "-") sign = -1n;
  if (s[0] === "-" || s[0] === "+") s = s.slice(1);
  if (s === "") throw new ConstructError("string index out of range");
  if (s === "0") return 0n;
  if (s.startsWith("0b")) return sign * pyInt(s.slice(2), 2);
  if (s.startsWith("0x")) return sign * pyInt(s.slice(2), 16);
  if (s[0] === "0") return sign * pyInt(s, 8);
  if (s.includes(":")) {
    let n = 0n;
    for (const part of s.split(":")) n = n * 60n + pyInt(part, 10);
    return sign * n;
  }
  return sign * pyInt(s, 10);
}

/** The float `.nan` constructs to: one object, as in PyYAML. */
const SHARED_NAN: PyValue = Object.freeze({ kind: "float", value: NaN } as const);

function constructFloat(value: string): number {
  let s = value.replace(/_/g, "").toLowerCase();
  if (s === "") throw new ConstructError("string index out of range");
  let sign = 1;
  if (s[0] === "-") sign = -1;
  if (s[0] === "-" || s[0] === "+") s = s.slice(1);
  if (s === ".inf") return sign * Infinity;
  if (s === ".nan") return NaN;
  if (s.includes(":")) {
    let n = 0;
    let base = 1;
    for (const part of s.split(":").reverse()) {
      n += pyFloat(part) * base;
      base *= 60;
    }
    return sign * n;
  }
  return sign * pyFloat(s);
}

const BOOL_WORDS: Record<string, boolean> = { yes: true, no: false, true: true, false: false, on: true, off: false };

function constructTimestamp(value: string): PyValue {
  const m = TIMESTAMP_PARTS.exec(value);
  if (m === null) throw new ConstructError(`cannot read \`${value}\` as a timestamp`);
  const [, y, mo, d, h, mi, s, frac, tz, tzSign, tzH, tzM] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const monthDays = [31, year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > (monthDays[month - 1] ?? 0)) throw new ConstructError(`\`${value}\` is not a date that exists`);
  if (h === undefined || h === "") return { kind: "date", year, month, day };
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  const microsecond = frac === undefined || frac === "" ? 0 : Number(frac.slice(0, 6).padEnd(6, "0"));
  let offset: number | null = null;
  if (tzSign !== undefined && tzSign !== "") {
    const minutes = Number(tzH) * 60 + Number(tzM ?? "0");
    // datetime.timezone takes an offset strictly within a day.
    if (minutes >= 24 * 60) throw new ConstructError("offset must be a timedelta strictly between -timedelta(hours=24) and timedelta(hours=24)");
    offset = tzSign === "-" ? -minutes : minutes;
  } else if (tz !== undefined && tz !== "") offset = 0;
  if (hour > 23 || minute > 59 || second > 59) throw new ConstructError(`\`${value}\` is not a time that exists`);
  return { kind: "datetime", year, month, day, hour, minute, second, microsecond, offset };
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** `base64.decodebytes(value.encode('ascii'))`, CPython's lenient decoder step by step. */
function constructBinary(value: string): Uint8Array {
  if (/[^\p{ASCII}]/u.test(value)) throw new ConstructError("failed to convert base64 data into ascii characters");
  const out: number[] = [];
  let quad = 0;
  let left = 0;
  let pads = 0;
  for (const ch of value) {
    if (ch === "=") {
      if (quad >= 2 && quad + ++pads >= 4) return Uint8Array.from(out);
      continue;
    }
    const v = B64.indexOf(ch);
    if (v < 0) continue;
    pads = 0;
    if (quad === 0) {
      left = v;
      quad = 1;
    } else if (quad === 1) {
      out.push(((left << 2) | (v >> 4)) & 0xff);
      left = v & 0x0f;
      quad = 2;
    } else if (quad === 2) {
      out.push(((left << 4) | (v >> 2)) & 0xff);
      left = v & 0x03;
      quad = 3;
    } else {
      out.push(((left << 6) | v) & 0xff);
      quad = 0;
    }
  }
  if (quad !== 0) throw new ConstructError(quad === 1 ? "failed to decode base64 data: number of data characters cannot be 1 more than a multiple of 4" : "failed to decode base64 data: Incorrect padding");
  return Uint8Array.from(out);
}

/**
 * What `SafeLoader`'s constructor for `tag` makes of a scalar `value`;
 * undefined when the tag has no scalar constructor (the caller tells an
 * unknown tag from a collection tag on a scalar).
 *
 * @throws {@link ConstructError} when the constructor refuses the text.
 */
export function constructScalar(tag: string, value: string): PyValue | undefined {
  switch (tag) {
    case Y + "str":
      return value;
    case Y + "null":
      return null;
    case Y + "bool": {
      const v = BOOL_WORDS[value.toLowerCase()];
      if (v === undefined) throw new ConstructError(`cannot read \`${value}\` as a boolean`);
      return v;
    }
    case Y + "int":
      return { kind: "int", value: constructInt(value) };
    case Y + "float": {
      const f = constructFloat(value);
      // PyYAML returns one shared NaN object for `.nan` in any spelling, so
      // such keys are one key; `float("nan")` (`!!float nan`) is a new one.
      return Number.isNaN(f) && /^[-+]?\.nan$/.test(value.replace(/_/g, "").toLowerCase()) ? SHARED_NAN : { kind: "float", value: f };
    }
    case Y + "timestamp":
      return constructTimestamp(value);
    case Y + "binary":
      return { kind: "bytes", value: constructBinary(value) };
    default:
      return undefined;
  }
}

/** The tags `SafeLoader` constructs; any other makes the whole load fail. */
export const SAFE_TAGS: ReadonlySet<string> = new Set(["null", "bool", "int", "float", "binary", "timestamp", "omap", "pairs", "set", "str", "seq", "map"].map((n) => Y + n));
