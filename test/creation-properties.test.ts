/**
 * Round trips of creation.json through the document codec, on generated
 * records: a new file decodes to the record it was made from; re-encoding
 * a decoded file without changes gives the same bytes; unknown members
 * placed at any object of the file survive an update at their depth; a
 * field changed and changed back leaves the bytes as they were.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { SYNC_STATUSES, creationRecord, decodeCreation, encodeCreation, newCreationRecord, parseCreation, withSyncStatus, type CreationJson } from "exlab-cache";

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

const json = (v: unknown): string => JSON.stringify(v);
const fresh = (input: unknown): { record: CreationJson; text: string } => {
  const record = newCreationRecord(input, { created_at: "2026-01-01T00:00:00Z" });
  return { record, text: encodeCreation(record) };
};

test("a new file decodes to the record it was made from", () => {
  fc.assert(
    fc.property(creationInput, (input) => {
      const { record, text } = fresh(input);
      assert.equal(json(parseCreation(Buffer.from(text))), json(record));
    }),
    { numRuns: 300 },
  );
});

test("a decoded file re-encoded without changes is byte-identical", () => {
  fc.assert(
    fc.property(creationInput, (input) => {
      const { text } = fresh(input);
      const doc = decodeCreation(Buffer.from(text));
      // Entries without an id get one persisted; after that the file is stable.
      const once = encodeCreation(creationRecord(doc), doc);
      const doc2 = decodeCreation(Buffer.from(once));
      assert.equal(encodeCreation(creationRecord(doc2), doc2), once);
      if (!text.includes('"validation_overrides"')) assert.equal(once, text);
    }),
    { numRuns: 300 },
  );
});

/** Every object of a decoded-JSON tree that is a known block (not inside free-form values). */
type Obj = Record<string, unknown>;
function blocks(file: Obj): Obj[] {
  const out = [file, file["lims_project"], file["template"], file["paths"]] as Obj[];
  if (file["orchestrator"]) out.push(file["orchestrator"] as Obj);
  for (const p of (file["plugins_applied"] ?? []) as Obj[]) {
    out.push(p);
    if (p["isolation"]) out.push(p["isolation"] as Obj);
  }
  return out;
}

test("unknown members at any block survive an update there, after the known keys", () => {
  fc.assert(
    fc.property(creationInput, fc.nat(), fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(...SYNC_STATUSES), (input, pick, extra, status) => {
      const { text } = fresh(input);
      const file = JSON.parse(text) as Obj;
      const all = blocks(file);
      const target = all[pick % all.length] as Record<string, unknown>;
      target["x_unknown"] = extra;
      const withExtra = JSON.stringify(file);
      const doc = decodeCreation(Buffer.from(withExtra));
      const out = encodeCreation(withSyncStatus(creationRecord(doc), status), doc);
      const back = JSON.parse(out) as Obj;
      const again = blocks(back)[pick % all.length] as Record<string, unknown>;
      assert.equal(json(again["x_unknown"]), json(extra));
      assert.equal(Object.keys(again).at(-1), "x_unknown");
      assert.equal(back["sync_status"], status === "pending" ? undefined : status);
    }),
    { numRuns: 300 },
  );
});

test("changing a field and changing it back gives the bytes back", () => {
  fc.assert(
    fc.property(creationInput, fc.constantFrom(...SYNC_STATUSES), (input, status) => {
      const { text } = fresh({ ...input, validation_overrides: undefined });
      const step = (t: string, s: (typeof SYNC_STATUSES)[number]): string => {
        const doc = decodeCreation(Buffer.from(t));
        return encodeCreation(withSyncStatus(creationRecord(doc), s), doc);
      };
      const original = parseCreation(Buffer.from(text)).sync_status as (typeof SYNC_STATUSES)[number];
      assert.equal(step(step(text, status), original), text);
    }),
    { numRuns: 200 },
  );
});
