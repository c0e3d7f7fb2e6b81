/**
 * Which validation overrides of a `creation.json` are in force: the rule the
 * application's pre-sync gate and Problems audit apply (cache-family §4),
 * reproduced so that a TypeScript gate agrees with theirs on every entry the
 * application itself can evaluate, and fails safe where it would crash.
 *
 * @module
 */
import { ValidationError } from "../errors.js";
import { isoInstantMicros } from "./_isotime.js";
import { describe } from "./rules.js";

/** The error for an argument of {@link selectActiveOverrides} that is not what it takes. */
function refused(field: string, expected: string, value: unknown): ValidationError {
  const received = value instanceof Date ? "an invalid Date" : describe(value);
  return new ValidationError([{ path: field, expected, received, message: `Expected \`${field}\` to be ${expected}, got ${received}` }], { what: "argument" });
}

/** Something odd met while selecting overrides; the selection goes on. */
export interface OverrideWarning {
  /**
   * `orphan_tombstone`: a tombstone names an id no entry has (no effect);
   * `malformed_expiry`: an `expires_at` that is not a readable ISO time (the
   *   entry counts as expired);
   * `unhashable_reference`: an `id` or `revokes` that is an array or object
   *   (it neither matches nor revokes anything).
   */
  readonly code: "orphan_tombstone" | "malformed_expiry" | "unhashable_reference";
  /** Position of the entry in the list. */
  readonly index: number;
  /** One sentence for people. */
  readonly message: string;
}

/** Options of {@link selectActiveOverrides}. */
export interface SelectOverridesOptions {
  /** Told about orphan tombstones, malformed expiries and unhashable references. */
  readonly onWarning?: (warning: OverrideWarning) => void;
}

/**
 * Python's truth value of a JSON value: `null`, `false`, `0`, `""`, `[]` and
 * `{}` are false, everything else is true (unlike JavaScript, where `[]` and
 * `{}` are true).
 *
 * @example
 * ```ts
 * pythonTruthy([]); // false
 * pythonTruthy("false"); // true
 * ```
 */
export function pythonTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === "") return false;
  if (typeof value === "bigint") return value !== 0n;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") return Object.keys(value).length > 0;
  return true;
}

type Key = string | undefined;

// A set key with Python's equality for hashable JSON values: `true == 1`,
// `1 == 1.0`, `0 == -0.0`, and a string never equals a number. Arrays and
// objects are unhashable (undefined).
function keyOf(value: unknown): Key {
  if (value === null) return "none";
  if (typeof value === "string") return `s:${value}`;
  if (typeof value === "boolean") return `n:${value ? 1 : 0}`;
  if (typeof value === "number") return `n:${value === 0 ? 0 : value}`;
  if (typeof value === "bigint") return `n:${value}`;
  return undefined;
}

const isEntry = (e: unknown): e is Readonly<Record<string, unknown>> => typeof e === "object" && e !== null && !Array.isArray(e);
const has = (e: Readonly<Record<string, unknown>>, k: string): boolean => Object.hasOwn(e, k) && e[k] !== undefined;

/**
 * The active override entries, in their original order.
 *
 * 1. Every entry with an `id` member (overrides and tombstones) is a known id.
 * 2. Every entry whose `revoked` is true in Python's sense is a tombstone; a
 *    tombstone with a `revokes` naming a known id revokes it; one without
 *    `revokes` (or with `null`) does nothing; one naming an unknown id is an
 *    orphan (warned about, no effect). Order does not matter, and revoking a
 *    tombstone does not restore what it revoked (tombstones are never active).
 * 3. An entry is active when its `revoked` is false in Python's sense, its
 *    `id` was not revoked, and its `expires_at` is missing, `null`, or a time
 *    strictly after `now` (Python `datetime.fromisoformat`, after a final
 *    `Z` is read as `+00:00`; a time without an offset is UTC).
 *
 * Two deliberate differences from the application, which raises in these
 * cases and so takes its gate down:
 * - an `expires_at` that is neither `null` nor a string (a non-zero number,
 *   `true`, a non-empty array or object) counts as expired, with a
 *   `malformed_expiry` warning, as the falsy ones (`0`, `false`, `[]`, `{}`)
 *   and unreadable strings already do there;
 * - an `id` or `revokes` that is an array or object matches nothing and
 *   revokes nothing (`unhashable_reference` warning).
 *
 * Entries that are not objects are skipped. Integers beyond 2^53 in `id` or
 * `revokes` compare as JavaScript numbers.
 *
 * @param entries - the `validation_overrides` array, as decoded.
 * @param now - the instant to compare expiries with (a `Date` or epoch
 *   milliseconds).
 * @returns the active entries (the same objects), in order.
 * @throws {@link ValidationError} (`validation_failed`, `field` `entries`
 *   or `now`) when `entries` is not an array, or `now` is neither a valid
 *   `Date` nor finite epoch milliseconds.
 * @example
 * ```ts
 * const active = selectActiveOverrides(record.validation_overrides, new Date());
 * const waived = new Set(active.map((e) => e["problem_class"]));
 * ```
 */
export function selectActiveOverrides<E>(entries: readonly E[], now: Date | number, options: SelectOverridesOptions = {}): E[] {
  // Tested through `unknown`, so that `entries` keeps its element type.
  const given: unknown = entries;
  if (!Array.isArray(given)) throw refused("entries", "an array", entries);
  const nowMs = typeof now === "number" ? now : now instanceof Date ? now.getTime() : Number.NaN;
  if (!Number.isFinite(nowMs)) throw refused("now", "a valid Date or epoch milliseconds", now);
  const nowUs = BigInt(Math.floor(nowMs)) * 1000n;
  const warn = options.onWarning ?? ((): void => undefined);

  const present = new Set<string>();
  entries.forEach((e, index) => {
    if (!isEntry(e) || !Object.hasOwn(e, "id")) return;
    const k = keyOf(e["id"]);
    if (k !== undefined) present.add(k);
    else warn({ code: "unhashable_reference", index, message: `Entry ${index}: its \`id\` is an array or object; nothing can revoke it` });
  });

  const revoked = new Set<string>();
  entries.forEach((e, index) => {
    if (!isEntry(e) || !pythonTruthy(e["revoked"])) return;
    const target = e["revokes"];
    if (target === undefined || target === null) return;
    const k = keyOf(target);
    if (k === undefined) {
      warn({ code: "unhashable_reference", index, message: `Entry ${index}: its \`revokes\` is an array or object; it revokes nothing` });
    } else if (!present.has(k)) {
      warn({ code: "orphan_tombstone", index, message: `Entry ${index}: tombstone revokes an id no entry has (${k.slice(2, 66)})` });
    } else {
      revoked.add(k);
    }
  });

  return entries.filter((e, index) => {
    if (!isEntry(e) || pythonTruthy(e["revoked"])) return false;
    const k = has(e, "id") ? keyOf(e["id"]) : "none";
    if (k !== undefined && revoked.has(k)) return false;
    const exp = e["expires_at"];
    if (exp === undefined || exp === null) return true;
    const at = typeof exp === "string" ? isoInstantMicros(exp.endsWith("Z") ? `${exp.slice(0, -1)}+00:00` : exp) : undefined;
    if (at === undefined) {
      warn({ code: "malformed_expiry", index, message: `Entry ${index}: \`expires_at\` is not an ISO time; the override counts as expired` });
      return false;
    }
    return at > nowUs;
  });
}
