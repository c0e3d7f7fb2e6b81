/**
 * The scalar types of PyYAML's `SafeLoader`, for the `yaml` package: which
 * plain scalars it resolves to what (its YAML 1.1 implicit resolvers, not
 * the spec's), what an explicit `!!int`, `!!float`... makes of a string, and
 * the `=` (value) type it resolves but cannot construct.
 *
 * @module
 */
import type { ScalarTag, Tags } from "yaml";

const Y = "tag:yaml.org,2002:";

// PyYAML's implicit resolvers, as regular expressions over a plain scalar.
const BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
// A float needs a dot: `1e3` is not one (it stays a string).
const FLOAT = /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const INT = /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const NULL = /^(?:~|null|Null|NULL|)$/;
const TIMESTAMP = /^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$/;
const VALUE = /^=$/;
// What `!!timestamp` accepts (PyYAML matches, then reads the groups).
const TIMESTAMP_PARTS = /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:(?:[Tt]|[ \t]+)([0-9]{1,2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]*))?(?:[ \t]*(Z|([-+])([0-9]{1,2})(?::([0-9]{2}))?))?)?$/;

type OnError = (message: string) => void;

function sexagesimal(digits: string): number {
  return digits.split(":").reduce((sum, part) => sum * 60 + Number(part), 0);
}

function toInt(source: string, onError: OnError): number {
  let s = source.replace(/_/g, "");
  let sign = 1;
  if (s.startsWith("-")) sign = -1;
  if (s.startsWith("-") || s.startsWith("+")) s = s.slice(1);
  let n: number;
  if (s === "0") n = 0;
  else if (s.startsWith("0b")) n = /^[01]+$/.test(s.slice(2)) ? parseInt(s.slice(2), 2) : NaN;
  else if (s.startsWith("0x")) n = /^[0-9a-fA-F]+$/.test(s.slice(2)) ? parseInt(s.slice(2), 16) : NaN;
  else if (s.startsWith("0")) n = /^[0-7]+$/.test(s) ? parseInt(s, 8) : NaN;
  else if (s.includes(":")) n = /^[0-9]+(?::[0-9]+)+$/.test(s) ? sexagesimal(s) : NaN;
  else n = /^[0-9]+$/.test(s) ? Number(s) : NaN;
  if (Number.isNaN(n)) onError(`cannot read \`${source}\` as an integer`);
  return n === 0 ? 0 : sign * n;
}

function toFloat(source: string, onError: OnError): number {
  let s = source.replace(/_/g, "").toLowerCase();
  let sign = 1;
  if (s.startsWith("-")) sign = -1;
  if (s.startsWith("-") || s.startsWith("+")) s = s.slice(1);
  if (s === ".inf") return sign * Infinity;
  if (s === ".nan") return NaN;
  if (s.includes(":")) return sign * sexagesimal(s);
  // Python's float(): decimal digits with an optional exponent, inf, nan.
  const t = s.trim();
  if (/^(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[-+]?[0-9]+)?$/.test(t)) return sign * Number(t);
  if (/^(?:inf|infinity)$/.test(t)) return sign * Infinity;
  if (t === "nan") return NaN;
  onError(`cannot read \`${source}\` as a float`);
  return NaN;
}

function toTimestamp(source: string, onError: OnError): Date {
  const m = TIMESTAMP_PARTS.exec(source);
  if (m === null) {
    onError(`cannot read \`${source}\` as a timestamp`);
    return new Date(NaN);
  }
  const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "", tz, tzSign, tzH = "0", tzM = "0"] = m;
  const ms = Number((frac + "000").slice(0, 3));
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  // Python's date and datetime refuse a day, hour... out of range; Date.UTC
  // would roll it over into the next month or day.
  const back = new Date(t);
  if (back.getUTCDate() !== Number(d) || back.getUTCMonth() !== Number(mo) - 1 || back.getUTCHours() !== Number(h) || back.getUTCMinutes() !== Number(mi) || back.getUTCSeconds() !== Number(s) || Number(y) < 1) {
    onError(`\`${source}\` is not a date and time that exists`);
    return new Date(NaN);
  }
  if (tz !== undefined && tz !== "Z") t -= (tzSign === "-" ? -1 : 1) * (Number(tzH) * 60 + Number(tzM)) * 60_000;
  return new Date(t);
}

const BOOL_WORDS: Record<string, boolean> = { yes: true, no: false, true: true, false: false, on: true, off: false };

function scalar(name: string, test: RegExp | undefined, resolve: (s: string, onError: OnError) => unknown): ScalarTag {
  // Without `test` the tag is only used when written explicitly (`!!int 1`).
  return test === undefined ? { tag: Y + name, resolve } : { tag: Y + name, default: true, test, resolve };
}

const PYYAML_SCALARS: ScalarTag[] = [
  scalar("bool", BOOL, (s) => BOOL_WORDS[s.toLowerCase()]),
  scalar("float", FLOAT, toFloat),
  scalar("int", INT, toInt),
  scalar("null", NULL, () => null),
  scalar("timestamp", TIMESTAMP, toTimestamp),
  // Refused where it is not a key, by the document check.
  scalar("value", VALUE, (s) => s),
  scalar("bool", undefined, (s, onError) => {
    const v = BOOL_WORDS[s.toLowerCase()];
    if (v === undefined) onError(`cannot read \`${s}\` as a boolean`);
    return v;
  }),
  scalar("float", undefined, toFloat),
  scalar("int", undefined, toInt),
  scalar("null", undefined, () => null),
  scalar("timestamp", undefined, toTimestamp),
];

const REPLACED = new Set(["bool", "float", "int", "null", "timestamp"].map((n) => Y + n));

/**
 * The `yaml` package's YAML 1.1 tags with the scalar ones replaced by
 * PyYAML's. Pass as `customTags`.
 */
export function pyyamlTags(tags: Tags): Tags {
  return [...PYYAML_SCALARS, ...tags.filter((t) => typeof t !== "object" || !REPLACED.has(t.tag))];
}

/** The tags `SafeLoader` constructs; any other makes the whole load fail. */
export const SAFE_TAGS: ReadonlySet<string> = new Set(["null", "bool", "int", "float", "binary", "timestamp", "omap", "pairs", "set", "str", "seq", "map"].map((n) => Y + n));
