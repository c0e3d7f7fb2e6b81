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
import { creationInput } from "./helpers/creation-arbitraries.js";
import { SYNC_STATUSES, creationRecord, decodeCreation, encodeCreation, newCreationRecord, parseCreation, withSyncStatus, type CreationJson } from "exlab-cache";

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
