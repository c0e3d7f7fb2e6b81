/**
 * Walks a rule's shape over a value: every issue with its path, the typed
 * view with defaults filled in, and the node to write (defaults omitted,
 * unknown members and unchanged raw text kept). Private to the schema layer.
 *
 * @module
 */
import type { ValidationIssue } from "../errors.js";
import { jsonEqual, mergeNode, nodeOf, plainOf, type JsonNode } from "./_json.js";
import { noteSource, sourceIn } from "./_sources.js";
import { describe, type NestedField, type Rule } from "./rules.js";

/** How a value is judged. */
export interface WalkContext {
  /**
   * `"read"`: a file (unknown members allowed; a field with `since` may be
   * missing below that minor). `"input"`: a write payload (unknown members
   * are issues: typos more often than not; optional and stamped fields may
   * be missing; stamped ones are not looked at). `"record"`: a full record
   * about to be written (unknown members are issues; required means present).
   */
  readonly mode: "read" | "input" | "record";
  /** The minor version of the file (read) or of what will be written. */
  readonly minor: number;
  /** Enums accept any string (the file is of a newer minor). */
  readonly openEnums: boolean;
}

/** `at.key`, or `key` at the top. */
export const childPath = (at: string, key: string): string => (at === "" ? key : `${at}.${key}`);

function issue(at: string, why: string, value: unknown): ValidationIssue {
  const where = at === "" ? "the value" : `\`${at}\``;
  return { path: at, expected: why, received: describe(value), message: `Expected ${where} to be ${why}, got ${describe(value)}` };
}

/** A plain object: a Date, Map or class instance is not one (JSON would carry it as `{}`). */
const isObject = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};
const own = (o: Record<string, unknown>, k: string): unknown => (Object.hasOwn(o, k) ? o[k] : undefined);

/** May the field be missing from `o` in this context? */
function mayBeMissing(f: NestedField, ctx: WalkContext): boolean {
  if (f.default !== undefined || f.absent !== undefined) return true;
  if (ctx.mode === "input") return f.input === "optional" || f.input === "stamped";
  if (ctx.mode === "read") return f.since !== undefined && ctx.minor < f.since;
  return false;
}

/** Every issue of `value` against `rule`, appended to `out`; `node` supplies number text when the value was read. */
export function collectIssues(rule: Rule, value: unknown, node: JsonNode | undefined, at: string, ctx: WalkContext, out: ValidationIssue[]): void {
  const shape = rule.shape;
  if (shape === undefined) {
    const why = rule.check(value, node?.t === "num" ? node.raw : undefined);
    if (why !== undefined) out.push(issue(at, why, value));
    return;
  }
  switch (shape.kind) {
    case "nullable":
      if (value !== null) collectIssues(shape.inner, value, node, at, ctx, out);
      return;
    case "enum":
      if (typeof value === "string" && (ctx.openEnums || shape.values.includes(value))) return;
      out.push(issue(at, ctx.openEnums ? "string" : rule.expected, value));
      return;
    case "json":
      if (shape.object && !isObject(value)) out.push(issue(at, "object", value));
      return;
    case "array":
      if (!Array.isArray(value)) {
        out.push(issue(at, rule.expected, value));
        return;
      }
      value.forEach((v, i) => collectIssues(shape.item, v, node?.t === "arr" ? node.items[i] : undefined, `${at}[${i}]`, ctx, out));
      return;
    case "object": {
      if (!isObject(value)) {
        out.push(issue(at, rule.expected, value));
        return;
      }
      const members = node?.t === "obj" ? node.members : undefined;
      for (const f of shape.fields) {
        const v = own(value, f.key);
        const p = childPath(at, f.key);
        if (ctx.mode === "input" && f.input === "stamped") continue;
        if (v === undefined) {
          if (!mayBeMissing(f, ctx)) out.push(issue(p, f.rule.expected, undefined));
          continue;
        }
        collectIssues(f.rule, v, members?.get(f.key), p, ctx, out);
      }
      if (ctx.mode !== "read") {
        const known = new Set(shape.fields.map((f) => f.key));
        for (const k of Object.keys(value)) {
          if (!known.has(k) && value[k] !== undefined) {
            const p = childPath(at, k);
            out.push({ path: p, expected: "no such field", received: describe(value[k]), message: `Unknown field \`${p}\`` });
          }
        }
      }
      return;
    }
  }
}

const clone = <T>(v: T): T => (typeof v === "object" && v !== null ? (plainOf(nodeOf(v)) as T) : v);

/**
 * The typed view of a valid `value`: known fields only, in declaration
 * order, each missing one as its default (or its `absent` value, or
 * undefined for a field an older minor lacks). Shares nothing with `value`.
 * Given the `node` the value was decoded from and the document's top-level
 * `root`, each object and array of the view is noted as coming from its
 * node, so that {@link writeNode} onto that document merges it there only.
 */
export function typedView(rule: Rule, value: unknown, node?: JsonNode, root?: JsonNode): unknown {
  const shape = rule.shape;
  if (shape === undefined || shape.kind === "enum") return value;
  if (shape.kind === "json") return node !== undefined && root !== undefined ? plainOf(node, root) : clone(value);
  if (shape.kind === "nullable") return value === null ? null : typedView(shape.inner, value, node, root);
  let out: unknown[] | Record<string, unknown>;
  if (shape.kind === "array") {
    const items = node?.t === "arr" ? node.items : [];
    out = (value as unknown[]).map((v, i) => typedView(shape.item, v, items[i], root));
  } else {
    const o = value as Record<string, unknown>;
    const members = node?.t === "obj" ? node.members : undefined;
    const view: Record<string, unknown> = {};
    for (const f of shape.fields) {
      const v = own(o, f.key);
      view[f.key] = v !== undefined ? typedView(f.rule, v, members?.get(f.key), root) : clone(f.default !== undefined ? f.default : f.absent);
    }
    out = view;
  }
  if (node !== undefined && root !== undefined) noteSource(out, node, root);
  return out;
}

/**
 * The node to write for a valid `value`, given what the file held there
 * (`old`) and the file's top-level node (`root`): known members in
 * declaration order, a member equal to its default left out unless the
 * file already stated it and it is unchanged, then the members of the old
 * node this version does not know, in file order. The old node of an
 * object or array decoded from `root` is the one it came from, wherever it
 * is now; an array item that is a new object is written fresh (never onto
 * the item that held its position). Values that did not change keep their
 * original text.
 *
 * @throws UnencodableError for a value JSON cannot carry (a Date, Map,
 *   class instance, NaN... or a cycle), naming its path.
 */
export function writeNode(rule: Rule, value: unknown, old: JsonNode | undefined, at: string, root?: JsonNode): JsonNode {
  const shape = rule.shape;
  if (shape?.kind === "nullable") return value === null ? { t: "lit", v: null } : writeNode(shape.inner, value, old, at, root);
  const from = sourceIn(value, root) ?? old;
  if (shape?.kind === "array" && Array.isArray(value)) {
    const olds = from?.t === "arr" ? from.items : [];
    const items: JsonNode[] = [];
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      items.push(writeNode(shape.item, v, typeof v === "object" && v !== null ? undefined : olds[i], `${at}[${i}]`, root));
    }
    return { t: "arr", items };
  }
  if (shape?.kind === "object" && isObject(value)) {
    const before = from?.t === "obj" ? from.members : new Map<string, JsonNode>();
    const members = new Map<string, JsonNode>();
    for (const f of shape.fields) {
      const v = own(value, f.key);
      if (v === undefined) continue;
      const prior = before.get(f.key);
      if (f.default !== undefined && jsonEqual(v, f.default) && !(prior !== undefined && jsonEqual(plainOf(prior), v))) continue;
      members.set(f.key, writeNode(f.rule, v, prior, childPath(at, f.key), root));
    }
    const known = new Set(shape.fields.map((f) => f.key));
    for (const [k, n] of before) if (!known.has(k)) members.set(k, n);
    return { t: "obj", members };
  }
  return mergeNode(old, value, at, 0, { root });
}
