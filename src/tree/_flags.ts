/**
 * The two flags of a finding, from the typed `creation.json` of the folder
 * whose pass produced it, and the override entries the application's
 * selection cannot survive (it raises, and its whole audit or gate call
 * fails with it).
 *
 * @module
 */
import { pythonTruthy, selectActiveOverrides } from "../schema/overrides.js";
import type { CreationFacts } from "./_creation-source.js";
import type { Flags } from "./finding.js";

/** A list or an object: unhashable in Python. */
function unhashable(v: unknown): boolean {
  return typeof v === "object" && v !== null;
}

/**
 * Why the application's override selection would raise on these entries,
 * or undefined when it would not.
 *
 * @example
 * ```ts
 * overrideHazard([{ id: ["x"] }]); // "an override entry's `id` is a list or object"
 * ```
 */
export function overrideHazard(entries: readonly Record<string, unknown>[]): string | undefined {
  for (const e of entries) if (Object.hasOwn(e, "id") && unhashable(e["id"])) return "an override entry's `id` is a list or object";
  const ids = new Set(entries.filter((e) => Object.hasOwn(e, "id")).map((e) => e["id"]));
  const revoked = new Set<unknown>();
  for (const e of entries) {
    if (!pythonTruthy(e["revoked"])) continue;
    const target = e["revokes"];
    if (target === undefined || target === null) continue;
    if (unhashable(target)) return "a tombstone's `revokes` is a list or object";
    if (ids.has(target)) revoked.add(target);
  }
  for (const e of entries) {
    if (pythonTruthy(e["revoked"]) || revoked.has(e["id"])) continue;
    const expires = e["expires_at"];
    if (typeof expires !== "string" && pythonTruthy(expires)) return "a live override's `expires_at` is neither text nor null";
  }
  return undefined;
}

/**
 * The flags a record gives the findings it governs, at `now`; or, when the
 * application's selection would raise on its overrides, why.
 *
 * @example
 * ```ts
 * const r = recordFlags(facts, new Date());
 * if ("flags" in r) console.log(r.flags.overridden);
 * ```
 */
export function recordFlags(facts: CreationFacts, now: Date): { readonly flags: Flags } | { readonly hazard: string } {
  const hazard = overrideHazard(facts.overrides);
  if (hazard !== undefined) return { hazard };
  const overridden = new Set<string>();
  for (const e of selectActiveOverrides(facts.overrides, now)) {
    const cls = e["problem_class"];
    if (unhashable(cls)) return { hazard: "a live override's `problem_class` is a list or object" };
    if (typeof cls === "string") overridden.add(cls);
  }
  return { flags: { synced: facts.syncStatus === "synced" || facts.syncStatus === "cleaned", overridden } };
}
