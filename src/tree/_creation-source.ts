/**
 * What the audit and the gate need from a `creation.json`, in one place, so
 * the rules never see how a record is read.
 *
 * - The audit reads as the application's validator does: no lock, no
 *   migration defaults, no version check beyond `schema_version` being a
 *   string; the typed record or nothing, plus the raw object (for
 *   `required_readme_field_ids`, read even from a record that failed typing).
 * - The gate reads with the record's own reader (`parseCreation`), as the
 *   application's writer reads: the major must be 1, `run_kind` defaults to
 *   `experimental`, any failure makes the run ungateable. The audit cannot
 *   use it: it must accept other majors and no migration defaults.
 *
 * @module
 */
import { ExlabCacheError } from "../errors.js";
import { parseCreation } from "../schema/kinds/creation.js";
import { decodeJson, isObject } from "./_json.js";

/** The fields the rules use. */
export interface CreationFacts {
  readonly runKind: "experimental" | "test";
  readonly syncStatus: string;
  readonly pathsLocal: string;
  /** The raw entries of `validation_overrides` (objects, unvalidated). */
  readonly overrides: readonly Record<string, unknown>[];
}

/** A `creation.json` as the audit sees it. */
export type AuditCreation =
  | { readonly state: "typed"; readonly facts: CreationFacts; readonly raw: Record<string, unknown> }
  /** Not a typed record; `raw` is the decoded object when there is one. */
  | { readonly state: "untyped"; readonly reason: string; readonly raw: Record<string, unknown> | undefined }
  /** The application's audit would stop on this file. */
  | { readonly state: "fatal"; readonly reason: string };

const LEVELS = ["project", "run"];
const RUN_KINDS = ["experimental", "test"];
const SYNC = ["pending", "synced", "cleaned", "failed", "blocked_by_validation"];
const SOURCES = ["live", "cache", "offline_catalogue"];
const SCOPES = ["experimental", "test", "both"];
const PLUGIN_STATUS = ["success", "failed", "skipped", "timeout", "policy_violation"];
const SIGNALS = ["sentinel_file", "manifest"];

type Check = (v: unknown) => boolean;
const str: Check = (v) => typeof v === "string";
const int: Check = (v) => typeof v === "number" && Number.isInteger(v);
const oneOf = (values: readonly string[]): Check => (v) => typeof v === "string" && values.includes(v);
const nullable = (c: Check): Check => (v) => v === null || c(v);
const listOf = (c: Check): Check => (v) => Array.isArray(v) && v.every(c);

/** `required` keys must be present and pass; `optional` ones pass when present. */
function struct(required: Record<string, Check>, optional: Record<string, Check> = {}): Check {
  // Listed once here rather than on every record checked.
  const req = Object.entries(required);
  const opt = Object.entries(optional);
  return (v) => {
    if (!isObject(v)) return false;
    for (const [k, c] of req) if (!Object.hasOwn(v, k) || !c(v[k])) return false;
    for (const [k, c] of opt) if (Object.hasOwn(v, k) && !c(v[k])) return false;
    return true;
  };
}

const TYPED = struct(
  {
    schema_version: str,
    created_at: str,
    created_by: str,
    level: oneOf(LEVELS),
    run_kind: oneOf(RUN_KINDS),
    lims_project: struct({ uid: str, short_id: str, name_at_creation: str }, { source: oneOf(SOURCES), cache_freshness_at_use: nullable(str) }),
    template: struct({ name: str, version: str, source_path: str }, { run_scope: nullable(oneOf(SCOPES)) }),
    variables: isObject,
    paths: struct({ local: str, nas: str }),
  },
  {
    plugins_applied: listOf(
      struct(
        { plugin: str, version: str, files_affected: listOf(str), status: oneOf(PLUGIN_STATUS) },
        { isolation: nullable(struct({ duration_ms: int, exit_code: int, peak_memory_mb: int })) },
      ),
    ),
    orchestrator: nullable(
      struct(
        { enabled: (v) => typeof v === "boolean", host: str, label: str },
        { equipment_label: nullable(str), completeness_signal: nullable(oneOf(SIGNALS)), sentinel_filename: nullable(str), manifest_filename: nullable(str) },
      ),
    ),
    sync_status: oneOf(SYNC),
    validation_overrides: listOf(isObject),
  },
);

function factsOf(raw: Record<string, unknown>): CreationFacts {
  const paths = raw["paths"] as Record<string, unknown>;
  return {
    runKind: raw["run_kind"] as "experimental" | "test",
    syncStatus: typeof raw["sync_status"] === "string" ? raw["sync_status"] : "pending",
    pathsLocal: paths["local"] as string,
    overrides: Array.isArray(raw["validation_overrides"]) ? (raw["validation_overrides"] as Record<string, unknown>[]) : [],
  };
}

/**
 * The audit's view of a `creation.json`'s bytes.
 *
 * @example
 * ```ts
 * const c = auditCreation(bytes);
 * if (c.state === "typed") console.log(c.facts.runKind);
 * ```
 */
export function auditCreation(bytes: Uint8Array): AuditCreation {
  const decoded = decodeJson(bytes);
  if (!decoded.ok) return decoded.fatal ? { state: "fatal", reason: decoded.reason } : { state: "untyped", reason: decoded.reason, raw: undefined };
  const raw = decoded.value;
  if (!isObject(raw)) return { state: "untyped", reason: "the top level is not an object", raw: undefined };
  if (!TYPED(raw)) return { state: "untyped", reason: "it does not match the creation.json schema", raw };
  return { state: "typed", facts: factsOf(raw), raw };
}

/**
 * The gate's view of a `creation.json`'s bytes: the record's own reader
 * (major 1 only, `run_kind` defaulting to `experimental`, every field
 * checked), as the application's writer reads it before queueing.
 *
 * @throws `MalformedFileError` (`malformed_file`), `SchemaMajorMismatchError`
 *   (`schema_major_mismatch`), `ValidationError` (`validation_failed`).
 */
export function gateCreation(bytes: Uint8Array, path: string): CreationFacts {
  const r = parseCreation(bytes, path);
  const kind: string = r.run_kind;
  // A kind a newer minor might add is not one the application's gate knows.
  if (kind !== "experimental" && kind !== "test") {
    throw new ExlabCacheError("validation_failed", `${path}: run_kind ${JSON.stringify(kind)} is not experimental or test`, { path, field: "run_kind" });
  }
  return {
    runKind: kind === "test" ? "test" : "experimental",
    syncStatus: r.sync_status,
    pathsLocal: r.paths.local,
    overrides: r.validation_overrides,
  };
}
