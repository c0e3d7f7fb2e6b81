/**
 * The values PyYAML's `safe_load` builds, held with the Python types they
 * have there: an `int` of any size, a `float`, `bytes`, a `date` apart from
 * a `datetime` (naive or with its offset), a `set`, a list of pairs (what
 * `!!omap` and `!!pairs` give), and a `dict` whose keys may be any hashable
 * value and compare as Python compares them (`1`, `1.0` and `True` are one
 * key). Aliases share one value, as in Python, so nothing is copied.
 *
 * @module
 */
import type { Node } from "yaml";
import { epochDay } from "../schema/_isotime.js";

export interface PyInt {
  readonly kind: "int";
  readonly value: bigint;
}
export interface PyFloat {
  readonly kind: "float";
  readonly value: number;
}
export interface PyBytes {
  readonly kind: "bytes";
  readonly value: Uint8Array;
}
export interface PyDate {
  readonly kind: "date";
  readonly year: number;
  readonly month: number;
  readonly day: number;
}
export interface PyDateTime {
  readonly kind: "datetime";
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly microsecond: number;
  /** Minutes east of UTC; null for a naive datetime. */
  readonly offset: number | null;
}
export interface PyList {
  readonly kind: "list";
  readonly items: PyValue[];
  /** The node each item came from (the alias itself for `- *a`). */
  readonly nodes: (Node | null)[];
}
export interface PyDict {
  readonly kind: "dict";
  readonly keys: PyValue[];
  readonly values: PyValue[];
  /** The key and value nodes of the pair that set each entry last. */
  readonly keyNodes: (Node | null)[];
  readonly valueNodes: (Node | null)[];
  /** Index of each key by {@link hashKey}. */
  readonly index: Map<string, number>;
}
export interface PySet {
  readonly kind: "set";
  readonly items: PyValue[];
}
/** What `!!omap` and `!!pairs` build: a list of 2-tuples. */
export interface PyPairs {
  readonly kind: "pairs";
  readonly items: [PyValue, PyValue][];
}

export type PyValue = null | boolean | string | PyInt | PyFloat | PyBytes | PyDate | PyDateTime | PyList | PyDict | PySet | PyPairs;

export function newDict(): PyDict {
  return { kind: "dict", keys: [], values: [], keyNodes: [], valueNodes: [], index: new Map() };
}

let nanSerial = 0;
const nanKeys = new WeakMap<object, string>();

/**
 * A string equal for two keys exactly when Python's `==` (and `hash`) make
 * them one dict key; undefined for a value Python cannot hash (a list, a
 * dict, a set).
 */
export function hashKey(v: PyValue, owner?: object): string | undefined {
  if (v === null) return "N";
  if (typeof v === "boolean") return v ? "n:1" : "n:0";
  if (typeof v === "string") return "s:" + v;
  switch (v.kind) {
    case "int":
      return "n:" + v.value.toString();
    case "float": {
      if (Number.isNaN(v.value)) {
        // A NaN is a key only equal to itself (the same object, via an alias).
        const o = owner ?? v;
        let k = nanKeys.get(o);
        if (k === undefined) nanKeys.set(o, (k = `nan:${nanSerial++}`));
        return k;
      }
      if (Number.isInteger(v.value)) return "n:" + BigInt(v.value).toString();
      return "f:" + String(v.value);
    }
    case "bytes":
      return "b:" + Buffer.from(v.value).toString("hex");
    case "date":
      return `d:${v.year}-${v.month}-${v.day}`;
    case "datetime":
      if (v.offset === null) return `tn:${v.year}-${v.month}-${v.day} ${v.hour}:${v.minute}:${v.second}.${v.microsecond}`;
      return "ta:" + instantMicros(v).toString();
    default:
      return undefined;
  }
}

/** Microseconds since 1970-01-01T00:00:00Z (a naive datetime read as UTC). */
export function instantMicros(v: PyDateTime): bigint {
  const ms = Date.UTC(2000, v.month - 1, v.day, v.hour, v.minute, v.second);
  // Date.UTC maps years 0-99 to 1900-1999; count the years apart.
  const days = BigInt(epochDay(v.year, v.month, v.day) - epochDay(2000, v.month, v.day));
  const base = BigInt(ms) * 1000n + days * 86_400_000_000n + BigInt(v.microsecond);
  return base - BigInt((v.offset ?? 0) * 60) * 1_000_000n;
}

/** Set `key` to `value` in `dict` as Python's `d[key] = value` does (the first key object stays). */
export function dictSet(dict: PyDict, hash: string, key: PyValue, value: PyValue, keyNode: Node | null, valueNode: Node | null): void {
  const at = dict.index.get(hash);
  if (at === undefined) {
    dict.index.set(hash, dict.keys.length);
    dict.keys.push(key);
    dict.values.push(value);
    dict.keyNodes.push(keyNode);
    dict.valueNodes.push(valueNode);
    return;
  }
  dict.values[at] = value;
  dict.keyNodes[at] = keyNode;
  dict.valueNodes[at] = valueNode;
}

/** The value of string key `key` in `dict`, as `d.get(key)`. */
export function dictGet(dict: PyDict, key: string): { value: PyValue; node: Node | null } | undefined {
  const at = dict.index.get("s:" + key);
  if (at === undefined) return undefined;
  return { value: dict.values[at] ?? null, node: dict.valueNodes[at] ?? null };
}

export function isDict(v: PyValue | undefined): v is PyDict {
  return typeof v === "object" && v !== null && v.kind === "dict";
}
export function isList(v: PyValue | undefined): v is PyList {
  return typeof v === "object" && v !== null && v.kind === "list";
}
