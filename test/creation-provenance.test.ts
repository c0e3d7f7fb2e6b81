/**
 * Array items keep what the file held for them, and only that: unknown
 * members and raw number text follow an item wherever a mutator moves it
 * (removed, inserted before, reordered), never the item that takes its
 * position. Real files through `CreationCacheWriter.update`, and a property
 * over the codec.
 */
import assert from "node:assert/strict";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { test, type TestContext } from "node:test";
import fc from "fast-check";
import { CreationCacheWriter, creationRecord, decodeCreation, decodeIngest, documentRecord, encodeCreation, encodeIngest, runCreationPath } from "exlab-cache";
import { tempDir } from "./helpers/tmp.js";

const HEAD =
  '{"schema_version":"1.9","created_at":"2026-04-17T14:32:00Z","created_by":"asmith","level":"run","run_kind":"test","lims_project":{"uid":"u","short_id":"P","name_at_creation":"C"},"template":{"name":"t","version":"2.1","source_path":"/t"},"variables":{},"paths":{"local":"/l","nas":""}';

const pluginText = (name: string): string =>
  `{"plugin":"${name}","version":"1","files_affected":[],"status":"success","x_only_${name}":"secret${name}","x_w_${name}":1.50}`;
const entryText = (id: string): string => `{"id":"${id}","problem_class":"p","operator":"o","recorded_at":"2026-04-18T09:14:22Z","reason":"r","x_only_${id}":"secret${id}","weight":2.50}`;

/** A creation.json holding these plugin and override entry texts, in the order the codec writes. */
const fileOf = (plugins: readonly string[], entries: readonly string[]): string =>
  `${HEAD}${plugins.length > 0 ? `,"plugins_applied":[${plugins.join(",")}]` : ""},"sync_status":"blocked_by_validation"${entries.length > 0 ? `,"validation_overrides":[${entries.join(",")}]` : ""}}`;

async function seeded(t: TestContext, text: string): Promise<string> {
  const path = runCreationPath(await tempDir(t), "CONFOCAL_01", "P", "Run_2026-04-17T14-32");
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
  return path;
}

const [A, B, C] = ["A", "B", "C"].map(pluginText) as [string, string, string];
const [EA, EB, EC] = ["ea", "eb", "ec"].map(entryText) as [string, string, string];

test("removing a plugin entry drops its unknown members with it; the next entry keeps only its own", async (t) => {
  const path = await seeded(t, fileOf([A, B], [EA, EB]));
  const writer = new CreationCacheWriter();
  await writer.update(path, (r) => {
    r.plugins_applied.shift();
    r.validation_overrides.shift();
  });
  assert.equal(await readFile(path, "utf8"), fileOf([B], [EB]));
});

test("inserting an entry before others writes it fresh and leaves theirs with them", async (t) => {
  const path = await seeded(t, fileOf([A, B], [EA, EB]));
  const writer = new CreationCacheWriter();
  await writer.update(path, (r) => {
    r.plugins_applied.unshift({ plugin: "N", version: "2", files_affected: [], status: "skipped", isolation: null });
    r.validation_overrides.unshift({ id: "en", problem_class: "q", operator: "o", recorded_at: "2026-04-19T00:00:00Z", reason: "n" });
  });
  const fresh = '{"plugin":"N","version":"2","files_affected":[],"status":"skipped"}';
  const freshEntry = '{"id":"en","problem_class":"q","operator":"o","recorded_at":"2026-04-19T00:00:00Z","reason":"n"}';
  assert.equal(await readFile(path, "utf8"), fileOf([fresh, A, B], [freshEntry, EA, EB]));
});

test("reordering entries moves each one's unknown members and raw numbers with it", async (t) => {
  const path = await seeded(t, fileOf([A, B, C], [EA, EB, EC]));
  const writer = new CreationCacheWriter();
  await writer.update(path, (r) => {
    r.plugins_applied.reverse();
    r.validation_overrides.reverse();
  });
  assert.equal(await readFile(path, "utf8"), fileOf([C, B, A], [EC, EB, EA]));
});

test("property: any subset of decoded entries, in any order, re-encodes each with exactly its own text", () => {
  const names = ["A", "B", "C", "D", "E"];
  const plugins = names.map(pluginText);
  const entries = names.map((n) => entryText(n.toLowerCase()));
  const doc = decodeCreation(new TextEncoder().encode(fileOf(plugins, entries)));
  const pick = fc.shuffledSubarray([0, 1, 2, 3, 4], { minLength: 1 });
  fc.assert(
    fc.property(pick, pick, (ps, es) => {
      const record = creationRecord(doc);
      const items = record.plugins_applied.slice();
      const overrides = record.validation_overrides.slice();
      record.plugins_applied = ps.map((i) => items[i]!);
      record.validation_overrides = es.map((i) => overrides[i]!);
      assert.equal(encodeCreation(record, doc), fileOf(ps.map((i) => plugins[i]!), es.map((i) => entries[i]!)));
    }),
  );
});

test("ingest history entries keep their own members when a history is reordered or cut", () => {
  const text =
    '{"schema_version":"1.1","project_name":"P","equipment_id":"E","run_kind":"experimental","run_path":"r","transport":"smb_mount","current_state":"complete","history":[{"state":"staging","at":"2026-04-17T14:35:00Z","host":"h","x_a":1.50},{"state":"complete","at":"2026-04-17T15:00:00Z","host":"h","files_received":142}]}';
  const doc = decodeIngest(new TextEncoder().encode(text));
  const record = documentRecord(doc);
  record.history.reverse();
  assert.equal(
    encodeIngest(record, doc),
    text.replace(/"history":.*$/, '"history":[{"state":"complete","at":"2026-04-17T15:00:00Z","host":"h","files_received":142},{"state":"staging","at":"2026-04-17T14:35:00Z","host":"h","x_a":1.50}]}'),
  );
});
