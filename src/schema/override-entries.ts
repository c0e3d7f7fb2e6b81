/**
 * The writes an operator makes to a `creation.json`, as pure functions over
 * the typed record: record an override, revoke one with a tombstone, set the
 * sync status. Entries are shaped as the application's endpoints shape them
 * (cache-family §3.7), and checked more strictly than it checks them: the
 * problem class must be one it knows, `expires_at` a UTC timestamp, and a
 * tombstone's target an override that is in force.
 *
 * @module
 */
import { randomUUID } from "node:crypto";
import { OverrideNotRevocableError, ValidationError, type ValidationIssue } from "../errors.js";
import { SYNC_STATUSES, type CreationJson, type SyncStatus } from "./kinds/creation.js";
import { pythonTruthy } from "./overrides.js";
import { describe, isTimestamp } from "./rules.js";
import { formatTimestamp } from "./timestamp.js";

/** The problem classes an override may waive (the application's `ProblemClass`). */
export const PROBLEM_CLASSES = [
  "unresolved_placeholder_token",
  "leftover_jinja_marker",
  "illegal_filesystem_character",
  "reserved_filesystem_name",
  "mode_prefix_mismatch",
  "orphan",
  "missing_required_field",
  "malformed_yaml_front_matter",
  "unsafe_project_name",
] as const;
/** One of {@link PROBLEM_CLASSES}. */
export type ProblemClass = (typeof PROBLEM_CLASSES)[number];

/** An override entry, keys in on-disk order. */
export type OverrideEntry = {
  id: string;
  problem_class: ProblemClass;
  operator: string;
  recorded_at: string;
  reason: string;
  revoked: false;
  expires_at: string | null;
};

/** A tombstone entry, keys in on-disk order. */
export type TombstoneEntry = {
  id: string;
  revokes: string;
  operator: string;
  recorded_at: string;
  reason: string;
  revoked: true;
};

/** What an operator gives to record an override. */
export interface OverrideRequest {
  /** The problem class waived. */
  readonly problem_class: string;
  /** Why, 10–500 characters. */
  readonly reason: string;
  /** Who. @default "" */
  readonly operator?: string;
  /** When it stops applying, `YYYY-MM-DDTHH:MM:SSZ`; null or absent for never. */
  readonly expires_at?: string | null;
}

/** What an operator gives to revoke an override. */
export interface RevokeRequest {
  /** The `id` of the override entry. */
  readonly id: string;
  /** Why, 10–500 characters. */
  readonly reason: string;
  /** Who. @default "" */
  readonly operator?: string;
}

/** The clock and id source of an entry. */
export interface EntryStamps {
  /** The time recorded in `recorded_at`. */
  readonly now: Date;
  /** Makes the entry's id. @default crypto.randomUUID */
  readonly uuid?: () => string;
}

const REASON_MIN = 10;
const REASON_MAX = 500;

function problem(path: string, expected: string, value: unknown): ValidationIssue {
  return { path, expected, received: describe(value), message: `Expected \`${path}\` to be ${expected}, got ${describe(value)}` };
}

function commonIssues(req: Record<string, unknown>, known: readonly string[]): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const reason = req["reason"];
  const length = typeof reason === "string" ? [...reason].length : -1;
  if (length < REASON_MIN || length > REASON_MAX || /\p{Cs}/u.test(reason as string)) issues.push(problem("reason", `string of ${REASON_MIN}-${REASON_MAX} characters`, reason));
  const operator = req["operator"];
  if (operator !== undefined && (typeof operator !== "string" || /\p{Cs}/u.test(operator))) issues.push(problem("operator", "string", operator));
  for (const k of Object.keys(req)) if (!known.includes(k)) issues.push({ path: k, expected: "no such field", received: describe(req[k]), message: `Unknown field \`${k}\`` });
  return issues;
}

function asRequest(value: unknown, what: string): Record<string, unknown> {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) return { ...(value as Record<string, unknown>) };
  throw new ValidationError([problem("", "an object", value)], { what });
}

/**
 * A new override entry: a UUID v4 `id`, `recorded_at` from `stamps.now`,
 * `revoked: false` and `expires_at` (`null` when not given), in the
 * application's key order.
 *
 * @throws {@link ValidationError} listing every issue: an unknown
 *   `problem_class`, a `reason` outside 10–500 characters, an `expires_at`
 *   not `YYYY-MM-DDTHH:MM:SSZ`, a non-string `operator`, unknown members.
 * @example
 * ```ts
 * const entry = buildOverrideEntry({ problem_class: "orphan", reason: "Folder kept on purpose." }, { now: new Date() });
 * ```
 */
export function buildOverrideEntry(request: OverrideRequest, stamps: EntryStamps): OverrideEntry {
  const req = asRequest(request, "override request");
  const issues = commonIssues(req, ["problem_class", "reason", "operator", "expires_at"]);
  const cls = req["problem_class"];
  if (!(PROBLEM_CLASSES as readonly unknown[]).includes(cls)) issues.unshift(problem("problem_class", `one of ${PROBLEM_CLASSES.join(", ")}`, cls));
  const expires = req["expires_at"] ?? null;
  if (expires !== null && !isTimestamp(expires)) issues.push(problem("expires_at", "UTC timestamp YYYY-MM-DDTHH:MM:SSZ or null", expires));
  if (issues.length > 0) throw new ValidationError(issues, { what: "override request" });
  return {
    id: (stamps.uuid ?? randomUUID)(),
    problem_class: cls as ProblemClass,
    operator: (req["operator"] as string | undefined) ?? "",
    recorded_at: formatTimestamp(stamps.now),
    reason: req["reason"] as string,
    revoked: false,
    expires_at: expires as string | null,
  };
}

/**
 * A tombstone revoking the override `request.id` among `entries`.
 *
 * @throws {@link ValidationError} for a bad request;
 *   {@link OverrideNotRevocableError} when no entry has that id, a tombstone
 *   already revokes it, or it names a tombstone.
 * @example
 * ```ts
 * const tomb = buildTombstoneEntry(record.validation_overrides, { id, reason: "Fixed at the source." }, { now: new Date() });
 * ```
 */
export function buildTombstoneEntry(entries: readonly Readonly<Record<string, unknown>>[], request: RevokeRequest, stamps: EntryStamps): TombstoneEntry {
  const req = asRequest(request, "revoke request");
  const issues = commonIssues(req, ["id", "reason", "operator"]);
  const id = req["id"];
  if (typeof id !== "string" || id.length === 0) issues.unshift(problem("id", "non-empty string", id));
  if (issues.length > 0) throw new ValidationError(issues, { what: "revoke request" });
  const target = id as string;
  const named = entries.filter((e) => e["id"] === target);
  if (named.length === 0) throw new OverrideNotRevocableError(target, "not_found");
  if (named.every((e) => pythonTruthy(e["revoked"]))) throw new OverrideNotRevocableError(target, "tombstone");
  if (entries.some((e) => pythonTruthy(e["revoked"]) && e["revokes"] === target)) throw new OverrideNotRevocableError(target, "already_revoked");
  return {
    id: (stamps.uuid ?? randomUUID)(),
    revokes: target,
    operator: (req["operator"] as string | undefined) ?? "",
    recorded_at: formatTimestamp(stamps.now),
    reason: req["reason"] as string,
    revoked: true,
  };
}

/**
 * `record` with one override entry appended (a copy; `record` is unchanged).
 *
 * @throws as {@link buildOverrideEntry}.
 * @example
 * ```ts
 * const { record: next, entry } = addOverride(record, { problem_class: "orphan", reason: "Kept on purpose here." }, { now: new Date() });
 * ```
 */
export function addOverride(record: CreationJson, request: OverrideRequest, stamps: EntryStamps): { record: CreationJson; entry: OverrideEntry } {
  const entry = buildOverrideEntry(request, stamps);
  return { record: { ...record, validation_overrides: [...record.validation_overrides, entry] }, entry };
}

/**
 * `record` with a tombstone appended for `request.id` (a copy).
 *
 * @throws as {@link buildTombstoneEntry}.
 * @example
 * ```ts
 * const { record: next } = revokeOverride(record, { id, reason: "Fixed at the source." }, { now: new Date() });
 * ```
 */
export function revokeOverride(record: CreationJson, request: RevokeRequest, stamps: EntryStamps): { record: CreationJson; entry: TombstoneEntry } {
  const entry = buildTombstoneEntry(record.validation_overrides, request, stamps);
  return { record: { ...record, validation_overrides: [...record.validation_overrides, entry] }, entry };
}

/**
 * `record` with `sync_status` set (a copy). Setting `pending`, the default,
 * leaves the key out of the file, and it stays out.
 *
 * @throws {@link ValidationError} for a status this version does not know.
 * @example
 * ```ts
 * const next = withSyncStatus(record, "synced");
 * ```
 */
export function withSyncStatus(record: CreationJson, status: SyncStatus): CreationJson {
  if (!(SYNC_STATUSES as readonly unknown[]).includes(status)) {
    throw new ValidationError([problem("sync_status", `one of ${SYNC_STATUSES.join(", ")}`, status)], { what: "sync status" });
  }
  return { ...record, sync_status: status };
}
