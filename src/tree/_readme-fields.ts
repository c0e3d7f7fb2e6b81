/**
 * The `missing_required_field` rule: the ids a `creation.json` lists in
 * `required_readme_field_ids`, looked up in the folder's
 * `readme_fields.json`.
 *
 * @module
 */
import { decodeJson, isObject } from "./_json.js";
import type { Hit } from "./finding.js";
import { pyReprValue } from "./pyrepr.js";

/** The ids to look up: a non-empty list in the raw record, else none. */
export function requiredFieldIds(raw: Record<string, unknown> | undefined): readonly unknown[] {
  const ids = raw?.["required_readme_field_ids"];
  return Array.isArray(ids) ? ids : [];
}

const strings = (v: unknown): boolean => isObject(v) && Object.values(v).every((x) => typeof x === "string");

/** The typed layers of a `readme_fields.json`, or why it gives none. */
export type ReadmeLayers =
  | { readonly state: "typed"; readonly layers: readonly Record<string, unknown>[] }
  | { readonly state: "untyped" }
  | { readonly state: "fatal"; readonly reason: string };

/** Decode a `readme_fields.json` as the application's validator does. */
export function readmeLayers(bytes: Uint8Array): ReadmeLayers {
  const d = decodeJson(bytes);
  if (!d.ok) return d.fatal ? { state: "fatal", reason: d.reason } : { state: "untyped" };
  const v = d.value;
  if (!isObject(v)) return { state: "untyped" };
  const req = typeof v["schema_version"] === "string" && typeof v["generated_at"] === "string" && strings(v["core_fields"]) && Object.hasOwn(v, "system_fields");
  const opt =
    (!Object.hasOwn(v, "template_fields") || isObject(v["template_fields"])) &&
    (!Object.hasOwn(v, "config_fields") || isObject(v["config_fields"])) &&
    (!Object.hasOwn(v, "custom_fields") || (Array.isArray(v["custom_fields"]) && v["custom_fields"].every(strings)));
  if (!req || !opt) return { state: "untyped" };
  const layers = [v["core_fields"], v["template_fields"] ?? {}, v["config_fields"] ?? {}] as Record<string, unknown>[];
  return { state: "typed", layers };
}

/**
 * One hit per listed id that the first layer holding it has as absent,
 * `null` or `""`, in list order.
 */
export function missingFieldHits(ids: readonly unknown[], layers: readonly Record<string, unknown>[]): Hit[] {
  const hits: Hit[] = [];
  for (const id of ids) {
    const key = typeof id === "string" ? id : undefined;
    const holder = key === undefined ? undefined : layers.find((l) => Object.hasOwn(l, key));
    const value = holder === undefined || key === undefined ? undefined : holder[key];
    if (value === undefined || value === null || value === "") {
      hits.push({ rule: "missing_required_field", offending_kind: "file_content", matched_token: id, rule_detail: `Required README field ${pyReprValue(id)} is absent or empty.` });
    }
  }
  return hits;
}
