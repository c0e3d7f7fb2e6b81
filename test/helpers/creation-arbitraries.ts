/**
 * Generated creation.json payloads: every optional field present or not,
 * every enum value, unicode strings, free-form variables and entries.
 */
import fc from "fast-check";
import { SYNC_STATUSES } from "exlab-cache";

const str = fc.string({ unit: "grapheme", maxLength: 12 });
const nullableStr = fc.option(str, { nil: null });
const int = fc.integer({ min: -1e9, max: 1e9 });
const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined });

const limsProject = fc.record(
  { uid: str, short_id: str, name_at_creation: str, source: fc.constantFrom("live", "cache", "offline_catalogue"), cache_freshness_at_use: nullableStr },
  { requiredKeys: ["uid", "short_id", "name_at_creation"] },
);
const plugin = fc.record(
  {
    plugin: str,
    version: str,
    files_affected: fc.array(str, { maxLength: 3 }),
    status: fc.constantFrom("success", "failed", "skipped", "timeout", "policy_violation"),
    isolation: fc.option(fc.record({ duration_ms: int, exit_code: int, peak_memory_mb: int }), { nil: null }),
  },
  { requiredKeys: ["plugin", "version", "files_affected", "status"] },
);
const orchestrator = fc.record(
  {
    enabled: fc.boolean(),
    host: str,
    label: str,
    equipment_label: nullableStr,
    completeness_signal: fc.option(fc.constantFrom("sentinel_file", "manifest"), { nil: null }),
    sentinel_filename: nullableStr,
    manifest_filename: nullableStr,
  },
  { requiredKeys: ["enabled", "host", "label"] },
);
const entry = fc.dictionary(fc.constantFrom("id", "problem_class", "revoked", "revokes", "expires_at", "x"), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 });

/** A creation payload, optional fields present or not. */
export const creationInput = fc.record(
  {
    created_at: str,
    created_by: str,
    level: fc.constantFrom("project", "run"),
    run_kind: maybe(fc.constantFrom("experimental", "test")),
    lims_project: limsProject,
    template: fc.record({ name: str, version: str, source_path: str, run_scope: fc.option(fc.constantFrom("experimental", "test", "both"), { nil: null }) }, { requiredKeys: ["name", "version", "source_path"] }),
    variables: fc.dictionary(str, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }),
    paths: fc.record({ local: str, nas: str }),
    plugins_applied: maybe(fc.array(plugin, { maxLength: 2 })),
    orchestrator: maybe(fc.option(orchestrator, { nil: null })),
    sync_status: maybe(fc.constantFrom(...SYNC_STATUSES)),
    validation_overrides: maybe(fc.array(entry, { maxLength: 3 })),
  },
  { requiredKeys: ["created_by", "level", "lims_project", "template", "variables", "paths"] },
);

