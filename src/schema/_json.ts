/**
 * A JSON reader and writer that keep what a rewrite must not change: the
 * exact text of every number (`1.50`, `1E5`, integers beyond 2^53), members
 * in file order at every depth, and nothing else (whitespace and string
 * escapes are normalised to the compact form the application writes).
 *
 * Private to the schema layer: the document codec is built on it.
 *
 * @module
 */
import { MalformedFileError } from "../errors.js";
import { noteSource, sourceIn } from "./_sources.js";

/** A decoded JSON value with its numbers' text. */
export type JsonNode =
  | { readonly t: "obj"; readonly members: ReadonlyMap<string, JsonNode> }
  | { readonly t: "arr"; readonly items: readonly JsonNode[] }
  | { readonly t: "str"; readonly v: string }
  | { readonly t: "num"; readonly v: number; readonly raw: string }
  | { readonly t: "lit"; readonly v: boolean | null };

/** Deeper nesting than this is refused (no reader or writer here recurses further). */
export const MAX_JSON_DEPTH = 200;

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
// Control characters are exactly what JSON forbids raw inside strings.
// eslint-disable-next-line no-control-regex
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const WS = /[ \t\n\r]*/y;

class Reader {
  i = 0;
  constructor(
    readonly s: string,
    readonly fail: (why: string) => never,
  ) {}
  ws(): void {
    WS.lastIndex = this.i;
    WS.test(this.s);
    this.i = WS.lastIndex;
  }
  value(depth: number): JsonNode {
    if (depth > MAX_JSON_DEPTH) this.fail(`it is nested more than ${MAX_JSON_DEPTH} levels deep`);
    this.ws();
    const c = this.s[this.i];
    if (c === "{") return this.object(depth);
    if (c === "[") return this.array(depth);
    if (c === '"') return { t: "str", v: this.string() };
    for (const [word, v] of [["true", true], ["false", false], ["null", null]] as const) {
      if (this.s.startsWith(word, this.i)) {
        this.i += word.length;
        return { t: "lit", v };
      }
    }
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(this.s);
    if (m === null) this.fail(c === undefined ? "it is truncated" : `unexpected ${JSON.stringify(c)} at offset ${this.i}`);
    this.i = NUMBER.lastIndex;
    const v = Number(m[0]);
    if (!Number.isFinite(v)) this.fail(`the number ${m[0].slice(0, 40)} is beyond double range`);
    return { t: "num", v: Object.is(v, -0) && !m[0].includes(".") && !/[eE]/.test(m[0]) ? 0 : v, raw: m[0] };
  }
  string(): string {
    STRING.lastIndex = this.i;
    const m = STRING.exec(this.s);
    if (m === null) this.fail(this.s.indexOf('"', this.i + 1) < 0 ? "it is truncated" : `bad string at offset ${this.i}`);
    this.i = STRING.lastIndex;
    return JSON.parse(m[0]) as string;
  }
  expect(ch: string): void {
    this.ws();
    if (this.s[this.i] !== ch) this.fail(this.i >= this.s.length ? "it is truncated" : `expected ${ch} at offset ${this.i}`);
    this.i++;
  }
  object(depth: number): JsonNode {
    this.i++;
    // Duplicate keys: the last value wins, at the first one's position (as a
    // Python dict, and so the application, keeps them).
    const members = new Map<string, JsonNode>();
    this.ws();
    if (this.s[this.i] === "}") {
      this.i++;
      return { t: "obj", members };
    }
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') this.fail(this.i >= this.s.length ? "it is truncated" : `expected a key at offset ${this.i}`);
      const key = this.string();
      this.expect(":");
      members.set(key, this.value(depth + 1));
      this.ws();
      const c = this.s[this.i++];
      if (c === "}") return { t: "obj", members };
      if (c !== ",") this.fail(c === undefined ? "it is truncated" : `expected , or } at offset ${this.i - 1}`);
    }
  }
  array(depth: number): JsonNode {
    this.i++;
    const items: JsonNode[] = [];
    this.ws();
    if (this.s[this.i] === "]") {
      this.i++;
      return { t: "arr", items };
    }
    for (;;) {
      items.push(this.value(depth + 1));
      this.ws();
      const c = this.s[this.i++];
      if (c === "]") return { t: "arr", items };
      if (c !== ",") this.fail(c === undefined ? "it is truncated" : `expected , or ] at offset ${this.i - 1}`);
    }
  }
}

/**
 * Decode strict UTF-8 JSON whose top level is an object, keeping number text
 * and member order. A byte-order mark, invalid UTF-8, truncation, trailing
 * data, a number beyond double range and nesting deeper than
 * {@link MAX_JSON_DEPTH} are all refused.
 *
 * @throws {@link MalformedFileError}
 */
export function parseJsonObjectNode(bytes: Uint8Array, path?: string): JsonNode & { t: "obj" } {
  if (bytes.length === 0) throw new MalformedFileError(path, "the file is empty");
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) throw new MalformedFileError(path, "it starts with a UTF-8 byte-order mark");
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch (cause) {
    throw new MalformedFileError(path, "it is not valid UTF-8", { cause });
  }
  const r = new Reader(text, (why) => {
    throw new MalformedFileError(path, why);
  });
  r.ws();
  if (r.s[r.i] !== "{") {
    const c = r.s[r.i];
    throw new MalformedFileError(path, c === "[" ? "the top level is an array" : c === undefined ? "it is truncated" : "the top level is not an object");
  }
  const node = r.value(0);
  r.ws();
  if (r.i !== text.length) throw new MalformedFileError(path, `unexpected data after the object at offset ${r.i}`);
  return node as JsonNode & { t: "obj" };
}

/**
 * A plain JavaScript value of a node (objects get own properties only,
 * `__proto__` included). With `root` (the document's top-level node), each
 * object and array made is noted as coming from its node, so that an
 * encode onto that document merges it there and nowhere else.
 */
export function plainOf(node: JsonNode, root?: JsonNode): unknown {
  switch (node.t) {
    case "obj": {
      const out: Record<string, unknown> = {};
      for (const [k, v] of node.members) Object.defineProperty(out, k, { value: plainOf(v, root), enumerable: true, writable: true, configurable: true });
      if (root !== undefined) noteSource(out, node, root);
      return out;
    }
    case "arr": {
      const out = node.items.map((n) => plainOf(n, root));
      if (root !== undefined) noteSource(out, node, root);
      return out;
    }
    default:
      return node.v;
  }
}

// A lone UTF-16 surrogate cannot be written as UTF-8.
const LONE_SURROGATE = /\p{Cs}/u;

/** Thrown by {@link nodeOf} and {@link encodeNode} for a value JSON cannot carry; the caller names the path. */
export class UnencodableError extends Error {
  constructor(
    readonly at: string,
    readonly why: string,
  ) {
    super(`${at}: ${why}`);
  }
}

/**
 * What JSON value `value` is: plain objects (prototype `Object.prototype`
 * or null), arrays, strings, finite numbers, booleans and null only.
 *
 * @throws {@link UnencodableError} for anything else (a Date, Map, Set,
 *   class instance, typed array, function, symbol, bigint, undefined, NaN,
 *   an infinity): JSON would carry it as `{}`, `null` or not at all.
 */
export function jsonKind(value: unknown, at: string): JsonNode["t"] {
  if (value === null || typeof value === "boolean") return "lit";
  if (typeof value === "string") return "str";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new UnencodableError(at, `${value} is not a JSON number`);
    return "num";
  }
  if (Array.isArray(value)) return "arr";
  if (typeof value === "object") {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) return "obj";
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
    throw new UnencodableError(at, `a ${typeof name === "string" && name !== "" ? name : "non-plain object"} is not a JSON value (only plain objects and arrays are)`);
  }
  throw new UnencodableError(at, `${value === undefined ? "undefined" : `a ${typeof value}`} is not a JSON value`);
}

/** The node of a plain JSON value (numbers printed as `JSON.stringify` prints them). @throws {@link UnencodableError} as {@link mergeNode} does. */
export function nodeOf(value: unknown, at = "", depth = 0): JsonNode {
  return mergeNode(undefined, value, at, depth);
}

/**
 * Compact JSON text of a node: no spaces, numbers as their stored text,
 * strings escaped as `JSON.stringify` escapes them (the application's
 * escapes), non-ASCII raw.
 *
 * @throws {@link UnencodableError} for a string holding a lone surrogate.
 */
export function encodeNode(node: JsonNode, at = ""): string {
  switch (node.t) {
    case "str":
      if (LONE_SURROGATE.test(node.v)) throw new UnencodableError(at, "a string holding a lone UTF-16 surrogate cannot be written as UTF-8");
      return JSON.stringify(node.v);
    case "num":
      return node.raw;
    case "lit":
      return String(node.v);
    case "arr":
      return `[${node.items.map((n, i) => encodeNode(n, `${at}[${i}]`)).join(",")}]`;
    case "obj": {
      const parts: string[] = [];
      for (const [k, v] of node.members) {
        if (LONE_SURROGATE.test(k)) throw new UnencodableError(at, "a key holding a lone UTF-16 surrogate cannot be written as UTF-8");
        parts.push(`${JSON.stringify(k)}:${encodeNode(v, at === "" ? k : `${at}.${k}`)}`);
      }
      return `{${parts.join(",")}}`;
    }
  }
}

/** Deep equality of plain JSON values (object member order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => jsonEqual(v, bb[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** What a merge is onto: the document the values were decoded from, and the objects and arrays being merged now (to refuse a cycle). */
export interface MergeContext {
  /** The top-level node of the document written onto; a value decoded from it is merged only onto its own node. */
  readonly root?: JsonNode | undefined;
  /** The objects and arrays enclosing the current value. */
  readonly open?: Set<object>;
}

/**
 * The node for `value`, reusing `old` wherever `value` has not changed from
 * it: an unchanged value keeps its original number text; an object keeps
 * its members' file order (new members after them). An object or array
 * decoded from the document `ctx.root` is merged onto the node it came from
 * (wherever it now is), anything else onto `old`; an array item that is an
 * object or array merges only onto its own node, never onto the item that
 * held its position before (a fresh one is encoded fresh).
 *
 * @throws {@link UnencodableError} for a value that is not JSON (see
 *   {@link jsonKind}), one that contains itself, or one nested more than
 *   {@link MAX_JSON_DEPTH} levels deep.
 */
export function mergeNode(old: JsonNode | undefined, value: unknown, at = "", depth = 0, ctx: MergeContext = {}): JsonNode {
  if (depth > MAX_JSON_DEPTH) throw new UnencodableError(at, `nested more than ${MAX_JSON_DEPTH} levels deep`);
  const kind = jsonKind(value, at);
  if (kind === "num") return old?.t === "num" && old.v === value ? old : { t: "num", v: value as number, raw: JSON.stringify(value) };
  if (kind === "str") return { t: "str", v: value as string };
  if (kind === "lit") return { t: "lit", v: value as boolean | null };
  const open = ctx.open ?? new Set<object>();
  const inner: MergeContext = { root: ctx.root, open };
  const from = sourceIn(value, ctx.root) ?? old;
  if (open.has(value as object)) throw new UnencodableError(at, "it contains itself (a cycle)");
  open.add(value as object);
  try {
    if (kind === "arr") {
      const v = value as readonly unknown[];
      const olds = from?.t === "arr" ? from.items : [];
      const items: JsonNode[] = [];
      // Index by index: a hole is undefined, refused like one.
      for (let i = 0; i < v.length; i++) {
        const x = v[i];
        items.push(mergeNode(typeof x === "object" && x !== null ? undefined : olds[i], x, `${at}[${i}]`, depth + 1, inner));
      }
      return { t: "arr", items };
    }
    const v = value as Record<string, unknown>;
    const members = new Map<string, JsonNode>();
    const before = from?.t === "obj" ? from.members : new Map<string, JsonNode>();
    for (const [k, n] of before) if (Object.hasOwn(v, k) && v[k] !== undefined) members.set(k, mergeNode(n, v[k], at === "" ? k : `${at}.${k}`, depth + 1, inner));
    for (const [k, x] of Object.entries(v)) if (!members.has(k) && x !== undefined) members.set(k, mergeNode(undefined, x, at === "" ? k : `${at}.${k}`, depth + 1, inner));
    return { t: "obj", members };
  } finally {
    open.delete(value as object);
  }
}
