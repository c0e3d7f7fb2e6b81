/**
 * Walks a rule's shape over a value: every issue with its path, the typed
 * view with defaults filled in, and the node to write (defaults omitted,
 * unknown members and unchanged raw text kept). Private to the schema layer.
 *
 * @module
 */
import type { ValidationIssue } from "../errors.js";
import { UnencodableError, jsonEqual, mergeNode, nodeOf, plainOf, type JsonNode } from "./_json.js";
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

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
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
 */
export function typedView(rule: Rule, value: unknown): unknown {
  const shape = rule.shape;
  if (shape === undefined || shape.kind === "enum") return value;
  if (shape.kind === "json") return clone(value);
  if (shape.kind === "nullable") return value === null ? null : typedView(shape.inner, value);
  if (shape.kind === "array") return (value as unknown[]).map((v) => typedView(shape.item, v));
  const o = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const f of shape.fields) {
    const v = own(o, f.key);
    out[f.key] = v !== undefined ? typedView(f.rule, v) : clone(f.default !== undefined ? f.default : f.absent);
  }
  return out;
}

/**
 * The node to write for a valid `value`, given what the file held there
 * (`old`): known members in declaration order, a member equal to its
 * default left out unless the file already stated it and it is unchanged,
 * then the members of `old` this version does not know, in file order.
 * Values that did not change keep their original text.
 *
 * @throws UnencodableError for a value JSON cannot carry.
 */
export function writeNode(rule: Rule, value: unknown, old: JsonNode | undefined, at: string): JsonNode {
  const shape = rule.shape;
  if (shape?.kind === "nullable") return value === null ? { t: "lit", v: null } : writeNode(shape.inner, value, old, at);
  if (shape?.kind === "array" && Array.isArray(value)) {
    const items = old?.t === "arr" ? old.items : [];
    return { t: "arr", items: value.map((v, i) => writeNode(shape.item, v, items[i], `${at}[${i}]`)) };
  }
  if (shape?.kind === "object" && isObject(value)) {
    const before = old?.t === "obj" ? old.members : new Map<string, JsonNode>();
    const members = new Map<string, JsonNode>();
    for (const f of shape.fields) {
      const v = own(value, f.key);
      if (v === undefined) continue;
      const prior = before.get(f.key);
      if (f.default !== undefined && jsonEqual(v, f.default) && !(prior !== undefined && jsonEqual(plainOf(prior), v))) continue;
      members.set(f.key, writeNode(f.rule, v, prior, childPath(at, f.key)));
    }
    const known = new Set(shape.fields.map((f) => f.key));
    for (const [k, n] of before) if (!known.has(k)) members.set(k, n);
    return { t: "obj", members };
  }
  if (typeof value === "string" || value === null || typeof value === "boolean" || typeof value === "number" || typeof value === "object") {
    return mergeNode(old, value, at);
  }
  throw new UnencodableError(at, `a ${typeof value} is not JSON`);
}
