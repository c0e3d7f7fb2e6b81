/**
 * Rules built from rules: nested objects, arrays, nullable values, enums and
 * free-form JSON. Each carries its JSON Schema and a `shape` the document
 * codec walks (validation with issue paths, defaults, omission, raw text), so
 * a record with sub-blocks is still one descriptor.
 *
 * @module
 */
import type { NestedField, Rule } from "./rules.js";

/** Any JSON value, as decoded. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object, as decoded. */
export type JsonObject = { [key: string]: JsonValue };

/**
 * An enum value as read: one of the known values, or (in a file of a newer
 * minor version) a value this version does not know, kept as a string.
 */
export type OpenEnum<E extends string> = E | (string & Record<never, never>);

type RuleValue<R> = R extends Rule<infer T, unknown> ? T : never;
type RuleInput<R> = R extends Rule<unknown, infer I> ? I : never;

/** The value type of a field as read: `T`, or `T | undefined` for a field only newer minors require. */
export type FieldValueOf<F> = F extends { readonly rule: infer R }
  ? F extends { readonly since: number }
    ? F extends { readonly default: unknown } | { readonly absent: unknown }
      ? RuleValue<R>
      : RuleValue<R> | undefined
    : RuleValue<R>
  : never;

/** Whether a write payload may leave the field out. */
type Omittable<F> = F extends { readonly default: unknown } | { readonly absent: unknown } | { readonly input: "optional" | "stamped" } ? true : false;

/** An object of `fields` as read: every field present, defaults filled in. */
export type ObjectOf<F extends readonly NestedField[]> = {
  -readonly [K in F[number] as K["key"]]: FieldValueOf<K>;
};

/** An object of `fields` as a write payload gives it: defaulted fields optional. */
export type ObjectInputOf<F extends readonly NestedField[]> = {
  -readonly [K in F[number] as Omittable<K> extends true ? never : K["key"]]: RuleInput<K["rule"]>;
} & {
  -readonly [K in F[number] as Omittable<K> extends true ? K["key"] : never]?: RuleInput<K["rule"]>;
};

/**
 * A nested object with its own fields, in on-disk order. Members it does
 * not know are allowed on read and kept, after the known ones, on rewrite.
 *
 * @example
 * ```ts
 * const paths = object([
 *   { key: "local", rule: rules.string, description: "Absolute destination folder." },
 *   { key: "nas", rule: rules.string, description: "NAS root and equipment id, or empty." },
 * ] as const);
 * ```
 */
export function object<const F extends readonly NestedField[]>(fields: F): Rule<ObjectOf<F>, ObjectInputOf<F>> {
  const required = fields.filter((f) => f.default === undefined && f.absent === undefined && f.since === undefined).map((f) => f.key);
  const properties: Record<string, unknown> = {};
  for (const f of fields) properties[f.key] = fieldSchema(f);
  return {
    expected: "object",
    schema: { type: "object", required, properties, additionalProperties: true },
    check: (v) => (typeof v === "object" && v !== null && !Array.isArray(v) ? undefined : "object"),
    shape: { kind: "object", fields },
  };
}

/** The JSON Schema of one field: its rule's, with its description and default. */
export function fieldSchema(f: NestedField): Record<string, unknown> {
  const dflt = f.default !== undefined ? f.default : f.absent;
  return { description: f.description, ...f.rule.schema, ...(dflt === undefined ? {} : { default: dflt }) };
}

/**
 * An array whose items each follow `item`.
 *
 * @example
 * ```ts
 * const files = arrayOf(rules.string);
 * ```
 */
export function arrayOf<T, I>(item: Rule<T, I>): Rule<T[], I[]> {
  return {
    expected: "array",
    schema: { type: "array", items: item.schema },
    check: (v) => (Array.isArray(v) ? undefined : "array"),
    shape: { kind: "array", item },
  };
}

/**
 * `inner`, or `null`.
 *
 * @example
 * ```ts
 * const freshness = nullable(rules.string);
 * ```
 */
export function nullable<T, I>(inner: Rule<T, I>): Rule<T | null, I | null> {
  return {
    expected: `${inner.expected} or null`,
    schema: { anyOf: [inner.schema, { type: "null" }] },
    check: (v, raw) => (v === null ? undefined : inner.check(v, raw) === undefined ? undefined : `${inner.expected} or null`),
    shape: { kind: "nullable", inner },
  };
}

/**
 * One of `values`. Closed for files at or below the descriptor's minor
 * version; in a file of a newer minor any string is read (and kept) as it
 * is, since new enum values are a minor change. Writes give known values.
 *
 * @example
 * ```ts
 * const level = enumOf(["project", "run"]);
 * ```
 */
export function enumOf<const E extends string>(values: readonly E[]): Rule<OpenEnum<E>, E> {
  const expected = `one of ${values.map((v) => JSON.stringify(v)).join(", ")}`;
  return {
    expected,
    schema: { type: "string", enum: [...values] },
    check: (v) => (typeof v === "string" && (values as readonly string[]).includes(v) ? undefined : expected),
    shape: { kind: "enum", values },
  };
}

/**
 * Free-form JSON: any value, or (`{ object: true }`) any object. Carried
 * through a rewrite as its original text while unchanged, so numbers keep
 * their digits.
 *
 * @example
 * ```ts
 * const variables = json({ object: true });
 * ```
 */
export function json(options: { object: true }): Rule<JsonObject>;
export function json(options?: { object?: false }): Rule<JsonValue>;
export function json(options: { object?: boolean } = {}): Rule<JsonObject> | Rule<JsonValue> {
  const isObject = options.object === true;
  return {
    expected: isObject ? "object" : "JSON value",
    schema: isObject ? { type: "object" } : {},
    check: (v) => (!isObject || (typeof v === "object" && v !== null && !Array.isArray(v)) ? undefined : "object"),
    shape: { kind: "json", object: isObject },
  };
}
