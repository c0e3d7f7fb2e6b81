/**
 * creation.json through the document codec: the application's examples A, B
 * and E (cache-family §3.8) encoded byte for byte, C/D/F decoded, updates
 * that change only what they change (F keeps `1.50`, `x_sub`, `x_note`,
 * `1.12`), the version gate, migration defaults, open enums above our minor,
 * strict integers, issue paths into nested values, stable derived ids.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import {
  CREATION_VERSION,
  MalformedFileError,
  SchemaMajorMismatchError,
  ValidationError,
  creationRecord,
  decodeCreation,
  encodeCreation,
  newCreationRecord,
  parseCreation,
  selectActiveOverrides,
  withSyncStatus,
  type CreationJson,
} from "exlab-cache";
import { REPO_ROOT } from "./helpers/filelock.js";

const fixture = (name: string): string => readFileSync(join(REPO_ROOT, "test", "fixtures", "creation", `${name}.json`), "utf8");
const bytes = (s: string): Buffer => Buffer.from(s, "utf8");
/** Decode, let `change` edit the typed record, encode onto the same document. */
function update(text: string, change: (r: CreationJson) => CreationJson | void): string {
  const doc = decodeCreation(bytes(text));
  const record = creationRecord(doc);
  return encodeCreation(change(record) ?? record, doc);
}
function issuesOf(fn: () => unknown): { path: string; expected: string }[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationError) return err.issues.map((i) => ({ path: i.path, expected: i.expected }));
    throw err;
  }
  assert.fail("expected a ValidationError");
}
const A = fixture("A");
/** `v` as an object, to edit decoded JSON in place. */
const obj = (v: unknown): Record<string, unknown> => v as Record<string, unknown>;
const item = (v: unknown, i: number): Record<string, unknown> => (v as Record<string, unknown>[])[i] as Record<string, unknown>;

for (const name of ["A", "B", "E"]) {
  test(`example ${name}: a new file from the same record is byte-identical to the application's`, () => {
    const app = fixture(name);
    const input = JSON.parse(app) as Record<string, unknown>;
    if (name === "E") input["schema_version"] = "1.2"; // the writer pins its own version
    else delete input["schema_version"];
    const record = newCreationRecord(input, { created_at: "2000-01-01T00:00:00Z" });
    assert.equal(encodeCreation(record), app);
  });
}

for (const name of ["A", "B", "C", "D", "E"]) {
  test(`example ${name}: decodes, and an update that changes nothing churns nothing`, () => {
    const app = fixture(name);
    const record = parseCreation(bytes(app));
    assert.equal(record.schema_version, "1.9");
    assert.equal(update(app, () => undefined), app);
  });
}

test("example C and D: values as the application reads them", () => {
  const c = parseCreation(bytes(fixture("C")));
  assert.equal(c.sync_status, "blocked_by_validation");
  assert.deepEqual(c.validation_overrides, []);
  assert.equal(c.orchestrator, null);
  assert.deepEqual(c.plugins_applied, []);
  assert.equal(c.lims_project?.source, "live");
  const d = parseCreation(bytes(fixture("D")));
  assert.equal(d.validation_overrides.length, 2);
  assert.equal(d.validation_overrides[1]?.["revokes"], "0b5e3c1a-2f4d-4c8e-9a7b-6d5e4f3a2b1c");
  assert.deepEqual(selectActiveOverrides(d.validation_overrides, Date.parse("2026-05-02T00:00:00Z")), []);
  assert.equal(d.orchestrator?.completeness_signal, "sentinel_file");
  assert.equal(d.orchestrator?.manifest_filename, null);
});

test("example F: setting pending keeps 1.12, x_sub, x_note and 1.50, and leaves sync_status out", () => {
  const out = update(fixture("F-input"), (r) => withSyncStatus(r, "pending"));
  assert.equal(
    out,
    '{"schema_version":"1.12","created_at":"2026-04-17T14:00:00Z","created_by":"asmith","level":"project","run_kind":"experimental","lims_project":{"uid":"","short_id":"","name_at_creation":"P","x_sub":1},"template":{"name":"t","version":"1.0","source_path":"/t"},"variables":{"gain":1.50},"paths":{"local":"/l","nas":""},"validation_overrides":[],"x_note":"kept"}',
  );
  assert.equal(parseCreation(bytes(out)).sync_status, "pending");
});

test("example F as the application rewrote it reads back with its values", () => {
  const r = parseCreation(bytes(fixture("F-app-output")));
  assert.equal(r.sync_status, "blocked_by_validation");
  assert.deepEqual(r.variables, { gain: 1.5 });
});

test("a field set back to its default is left out, and stays out (bug 2)", () => {
  const blocked = update(A, (r) => withSyncStatus(r, "blocked_by_validation"));
  assert.match(blocked, /"sync_status":"blocked_by_validation"}$/);
  const back = update(blocked, (r) => withSyncStatus(r, "pending"));
  assert.equal(back, A);
  const cleared = update(fixture("D"), (r) => ({ ...r, validation_overrides: [] }));
  assert.doesNotMatch(cleared, /validation_overrides/);
});

test("read-side defaults are never written (bug 3): no validation_overrides injected", () => {
  const out = update(A, (r) => withSyncStatus(r, "synced"));
  assert.equal(out, A.replace(/}$/, ',"sync_status":"synced"}'));
});

test("unknown members are kept at every depth, after the known ones of their block (bug 5)", () => {
  const src = obj(JSON.parse(fixture("E")));
  obj(src["lims_project"])["x1"] = 1;
  obj(src["template"])["x2"] = [1.5];
  obj(src["paths"])["x3"] = null;
  item(src["plugins_applied"], 0)["x4"] = "p";
  obj(item(src["plugins_applied"], 0)["isolation"])["x5"] = { a: 1 };
  obj(src["orchestrator"])["x6"] = true;
  item(src["validation_overrides"], 0)["x7"] = 7;
  const text = JSON.stringify(src).replace("[1.5]", "[1.50]");
  const out = update(text, (r) => withSyncStatus(r, "synced"));
  assert.equal(out, text.replace('"sync_status":"blocked_by_validation"', '"sync_status":"synced"'));
});

test("numbers in free-form values keep their text through a rewrite", () => {
  const text = A.replace('"variables":{}', '"variables":{"a":1.50,"b":1E5,"c":12345678901234567890,"d":-0.0,"e":[1.0,{"f":2.50}]}');
  const out = update(text, (r) => ({ ...r, variables: { ...r.variables, g: "new" } }));
  assert.equal(out, text.replace('"e":[1.0,{"f":2.50}]}', '"e":[1.0,{"f":2.50}],"g":"new"}'));
});

test("versions: missing, null, empty, a number and non-MAJOR.MINOR strings are a major mismatch", () => {
  for (const v of [undefined, null, "", 1.9, "1", "01.0", " 1.0", "1.x", "1.0.0", "2.0", "0.9", "abc", " 2.0"]) {
    const obj = JSON.parse(A) as Record<string, unknown>;
    if (v === undefined) delete obj["schema_version"];
    else obj["schema_version"] = v;
    assert.throws(() => parseCreation(bytes(JSON.stringify(obj))), (e: unknown) => e instanceof SchemaMajorMismatchError && e.code === "schema_major_mismatch", String(v));
  }
  for (const v of ["1.9", "1.12", "1.0"]) assert.equal(parseCreation(bytes(A.replace('"1.9"', JSON.stringify(v)))).schema_version, v);
});

test("versions on write: an older minor is bumped to 1.9, a newer one is kept", () => {
  assert.match(update(A.replace('"1.9"', '"1.7"'), () => undefined), /^{"schema_version":"1\.9",/);
  assert.match(update(A.replace('"1.9"', '"1.10"'), () => undefined), /^{"schema_version":"1\.10",/);
  assert.equal(CREATION_VERSION, "1.9");
});

test("migration: 1.0 without run_kind reads experimental; pre-1.5 without lims_project is readable but must get one to be written", () => {
  const old = JSON.parse(A) as Record<string, unknown>;
  old["schema_version"] = "1.0";
  delete old["run_kind"];
  delete old["lims_project"];
  const text = JSON.stringify(old);
  const r = parseCreation(bytes(text));
  assert.equal(r.run_kind, "experimental");
  assert.equal(r.lims_project, undefined);
  assert.deepEqual(r.validation_overrides, []);
  assert.deepEqual(issuesOf(() => update(text, () => undefined)), [{ path: "lims_project", expected: "object" }]);
  const fixed = update(text, (x) => ({ ...x, lims_project: { uid: "", short_id: "", name_at_creation: "P", source: "live", cache_freshness_at_use: null } }));
  assert.equal(fixed, A.replace('"Cortex Q3 Pilot"}', '"P"}'));
  assert.deepEqual(issuesOf(() => parseCreation(bytes(text.replace('"1.0"', '"1.5"')))), [{ path: "lims_project", expected: "object" }]);
  const noSource = parseCreation(bytes(A.replace('"1.9"', '"1.7"')));
  assert.equal(noSource.lims_project?.source, "live");
});

test("enums: closed at or below 1.9, open and kept above it", () => {
  const archived = A.replace(/}$/, ',"sync_status":"archived"}');
  assert.deepEqual(issuesOf(() => parseCreation(bytes(archived))), [{ path: "sync_status", expected: 'one of "pending", "synced", "failed", "blocked_by_validation", "cleaned"' }]);
  const newer = archived.replace('"1.9"', '"1.10"');
  assert.equal(parseCreation(bytes(newer)).sync_status, "archived");
  assert.equal(update(newer, () => undefined), newer);
  const plugin = fixture("E").replace('"status":"skipped"', '"status":"quarantined"');
  assert.deepEqual(issuesOf(() => parseCreation(bytes(plugin))).map((i) => i.path), ["plugins_applied[1].status"]);
});

test("integers are strict, and every issue is listed with its path", () => {
  const e = fixture("E");
  for (const bad of ["412.0", "true", "4.12E2", '"412"']) {
    assert.deepEqual(issuesOf(() => parseCreation(bytes(e.replace('"duration_ms":412', `"duration_ms":${bad}`)))), [
      { path: "plugins_applied[0].isolation.duration_ms", expected: "integer" },
    ]);
  }
  const many = e.replace('"level":"run"', '"level":7').replace('"nas":"//nas01/lab/X"', '"nas":null').replace('"variables":{', '"variables":[],"x":{').replace('"enabled":true', '"enabled":"true"');
  assert.deepEqual(issuesOf(() => parseCreation(bytes(many))).map((i) => i.path), ["level", "variables", "paths.nas", "orchestrator.enabled"]);
});

test("entries without an id get the same derived id on every read, and an update writes it at the entry's end", () => {
  const text = fixture("D").replace('"id":"0b5e3c1a-2f4d-4c8e-9a7b-6d5e4f3a2b1c",', "");
  const first = parseCreation(bytes(text)).validation_overrides[0]?.["id"] as string;
  assert.equal(parseCreation(bytes(text)).validation_overrides[0]?.["id"], first);
  assert.match(first, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const other = parseCreation(bytes(text.replace("approved by PI", "approved by QA"))).validation_overrides[0]?.["id"];
  assert.notEqual(other, first);
  const out = update(text, () => undefined);
  assert.ok(out.includes(`"expires_at":null,"id":"${first}"}`));
  assert.equal(parseCreation(bytes(out)).validation_overrides[0]?.["id"], first);
});

test("malformed bytes are malformed_file, deep nesting included, without a stack overflow", () => {
  const cases: [string, Buffer][] = [
    ["empty", Buffer.alloc(0)],
    ["BOM", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes(A)])],
    ["invalid UTF-8", Buffer.concat([bytes(A.slice(0, 20)), Buffer.from([0xff]), bytes(A.slice(20))])],
    ["truncated", bytes(A.slice(0, -1))],
    ["trailing data", bytes(`${A}x`)],
    ["beyond double range", bytes(A.replace('"variables":{}', '"variables":{"a":1e400}'))],
    ["deep", bytes(A.replace('"variables":{}', `"variables":{"a":${"[".repeat(100_000)}${"]".repeat(100_000)}}`))],
    ["array", bytes("[]")],
  ];
  for (const [name, b] of cases) assert.throws(() => parseCreation(b), (e: unknown) => e instanceof MalformedFileError && e.code === "malformed_file", name);
});

test("duplicate keys: the last value wins", () => {
  assert.equal(parseCreation(bytes(A.replace('"created_by":"asmith"', '"created_by":"x","created_by":"asmith2"'))).created_by, "asmith2");
});

test("strings: escapes as the application writes them; a lone surrogate is refused on write", () => {
  const s = "a\"\\\b\t\n\f\r\u0001\u001f\u007f/é\u2028😀";
  const record = newCreationRecord({ ...(JSON.parse(A) as object), created_by: s, schema_version: undefined }, { created_at: "x" });
  assert.ok(encodeCreation(record).includes('"created_by":"a\\"\\\\\\b\\t\\n\\f\\r\\u0001\\u001f\u007f/é\u2028😀"'));
  assert.deepEqual(issuesOf(() => encodeCreation({ ...record, created_by: "\ud800" })).map((i) => i.path), ["created_by"]);
  const lone = A.replace('"variables":{}', '"variables":{"k":"\\ud800"}');
  assert.equal(parseCreation(bytes(lone)).variables["k"], "\ud800");
  assert.deepEqual(issuesOf(() => update(lone, (r) => withSyncStatus(r, "synced"))).map((i) => i.path), ["variables.k"]);
});

test("a new record refuses unknown members at any depth and wrong types, listing them all", () => {
  const input = obj(JSON.parse(fixture("B")));
  obj(input["paths"])["extra"] = 1;
  obj(input["lims_project"])["source"] = "elsewhere";
  input["sync_status"] = "archived";
  input["typo"] = true;
  assert.deepEqual(issuesOf(() => newCreationRecord(input, { created_at: "2026-01-01T00:00:00Z" })).map((i) => i.path), [
    "lims_project.source",
    "paths.extra",
    "sync_status",
    "typo",
  ]);
});
