/**
 * docs/adding-a-record.md's worked example, run: a record kind declared
 * here (not shipped) gets a working validator, JSON Schema, stamping, key
 * order and path from its descriptor alone.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";
import { Ajv2020 } from "ajv/dist/2020.js";
import { ValidationError } from "exlab-cache";

import type * as PathsModule from "../dist/cache/paths.js";
import type * as CombinatorsModule from "../dist/schema/combinators.js";
import type * as DocumentModule from "../dist/schema/document.js";
import type * as RecordModule from "../dist/schema/record.js";
import type * as RulesModule from "../dist/schema/rules.js";
import type * as VersionModule from "../dist/schema/version.js";
const load = async <T>(path: string): Promise<T> => (await import(new URL(`../../dist/${path}`, import.meta.url).href)) as T;
const { defineRecord, encodeRecordOf, jsonSchemaOf, parseRecord, stampRecord, validateInput } = await load<typeof RecordModule>("schema/record.js");
const { rules } = await load<typeof RulesModule>("schema/rules.js");
const { SCHEMA_MAJOR, SCHEMA_VERSION } = await load<typeof VersionModule>("schema/version.js");
const { recordPath } = await load<typeof PathsModule>("cache/paths.js");
const { arrayOf, enumOf, json, nullable, object } = await load<typeof CombinatorsModule>("schema/combinators.js");
const { decodeDocument, documentRecord, encodeDocument } = await load<typeof DocumentModule>("schema/document.js");

// -- the example, as docs/adding-a-record.md shows it --
export const CALIBRATION = defineRecord({
  file: "calibration.json",
  place: { level: "equipment" },
  major: SCHEMA_MAJOR,
  version: SCHEMA_VERSION,
  write: "write-once",
  payload: "calibration payload",
  fields: [
    { key: "schema_version", rule: rules.schemaVersion(SCHEMA_MAJOR), input: "stamped", description: "Schema version, MAJOR.MINOR." },
    { key: "equipment", rule: rules.equipmentId, input: "required", description: "Equipment id." },
    { key: "operator", rule: rules.text, input: "required", description: "Who calibrated it." },
    { key: "calibrated_at", rule: rules.timestamp, input: "optional", description: "UTC time of the calibration; defaults to now." },
  ],
});
// -- end of the example --

test("the descriptor in docs/adding-a-record.md is the one tested here", async () => {
  const doc = await readFile(new URL("../../docs/adding-a-record.md", import.meta.url), "utf8");
  const source = await readFile(new URL("../../test/adding-a-record.test.ts", import.meta.url), "utf8");
  const block = /```ts\n([\s\S]*?)```/.exec(doc)?.[1];
  const here = /\/\/ -- the example[^\n]*\n([\s\S]*?)\/\/ -- end of the example/.exec(source)?.[1];
  assert.ok(block !== undefined && here !== undefined);
  assert.equal(block, here);
});

test("a new kind's input validator, stamping and encoder come from its descriptor", () => {
  const input = validateInput(CALIBRATION, { equipment: "CONFOCAL_01", operator: "Ada", schema_version: "9.9" });
  const record = stampRecord(CALIBRATION, input, { schema_version: SCHEMA_VERSION, calibrated_at: "2026-04-17T14:32:05Z" });
  // Key order is the field order; the stamped version wins over the payload's.
  assert.equal(
    encodeRecordOf(CALIBRATION, record),
    '{"schema_version":"1.0","equipment":"CONFOCAL_01","operator":"Ada","calibrated_at":"2026-04-17T14:32:05Z"}',
  );
  const given = stampRecord(CALIBRATION, validateInput(CALIBRATION, { equipment: "X", operator: "B", calibrated_at: "2020-01-01T00:00:00Z" }), {
    schema_version: SCHEMA_VERSION,
    calibrated_at: "2026-04-17T14:32:05Z",
  });
  assert.equal(given.calibrated_at, "2020-01-01T00:00:00Z");
  assert.throws(
    () => validateInput(CALIBRATION, { equipment: "bad id", operator: "", calibrated_at: "2026-02-30T00:00:00Z", extra: 1 }),
    (err: unknown) =>
      err instanceof ValidationError &&
      err.issues.map((i) => i.path).join(",") === "equipment,operator,calibrated_at,extra" &&
      err.message.includes("calibration payload"),
  );
});

test("a new kind's reader and JSON Schema come from its descriptor and agree", () => {
  const validate = new Ajv2020({ strict: true }).compile(jsonSchemaOf(CALIBRATION));
  const good = { schema_version: "1.2", equipment: "CONFOCAL_01", operator: "Ada", calibrated_at: "2024-02-29T00:00:00Z", room: "B-104" };
  assert.equal(validate(good), true);
  assert.deepEqual(parseRecord(CALIBRATION, Buffer.from(JSON.stringify(good))), {
    schema_version: "1.2",
    equipment: "CONFOCAL_01",
    operator: "Ada",
    calibrated_at: "2024-02-29T00:00:00Z",
  });
  for (const bad of [{ ...good, calibrated_at: "2023-02-29T00:00:00Z" }, { ...good, schema_version: "2.0" }, { ...good, operator: "" }]) {
    assert.equal(validate(bad), false, JSON.stringify(bad));
    assert.throws(() => parseRecord(CALIBRATION, Buffer.from(JSON.stringify(bad))));
  }
  assert.equal(recordPath(CALIBRATION, "/data/lab", "CONFOCAL_01"), "/data/lab/CONFOCAL_01/.exlab-wizard/calibration.json");
});

// -- the nested example, as docs/adding-a-record.md shows it --
export const SESSION = defineRecord({
  file: "session.json",
  place: { level: "project-or-run" },
  major: 1,
  version: "1.2",
  write: "rewrite",
  payload: "session payload",
  fields: [
    { key: "schema_version", rule: rules.schemaVersion(1), input: "stamped", description: "Schema version, MAJOR.MINOR." },
    {
      key: "instrument",
      input: "required",
      description: "What was used.",
      rule: object([
        { key: "name", rule: rules.string, description: "Instrument name." },
        { key: "mode", rule: enumOf(["auto", "manual"]), default: "auto", description: "Acquisition mode." },
      ] as const),
    },
    {
      key: "readings",
      input: "optional",
      default: [],
      description: "Readings in order.",
      rule: arrayOf(object([
        { key: "at_ms", rule: rules.integer, description: "Offset, milliseconds." },
        { key: "value", rule: nullable(json()), default: null, description: "Measured value, any JSON." },
      ] as const)),
    },
    { key: "operator", rule: rules.string, input: "required", since: 2, description: "Who (required since 1.2)." },
  ],
});
// -- end of the nested example --

test("the nested descriptor in docs/adding-a-record.md is the one tested here", async () => {
  const doc = await readFile(new URL("../../docs/adding-a-record.md", import.meta.url), "utf8");
  const source = await readFile(new URL("../../test/adding-a-record.test.ts", import.meta.url), "utf8");
  const block = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].find((m) => m[1]?.includes("SESSION"))?.[1];
  const here = /\/\/ -- the nested example[^\n]*\n([\s\S]*?)\/\/ -- end of the nested example/.exec(source)?.[1];
  assert.ok(block !== undefined && here !== undefined);
  assert.equal(block, here);
});

test("a nested kind: paths into nested values, defaults omitted at every depth, unknowns kept, since and open enums", () => {
  const text = '{"schema_version":"1.2","instrument":{"name":"scope","x":1},"readings":[{"at_ms":5,"value":1.50,"y":[]},{"at_ms":6}],"operator":"ada"}';
  const doc = decodeDocument(SESSION, Buffer.from(text));
  const record = documentRecord(doc);
  assert.equal(record.instrument.mode, "auto");
  assert.equal(record.readings[1]?.value, null);
  assert.equal(encodeDocument(SESSION, record, doc), text);
  record.instrument.mode = "manual";
  assert.equal(encodeDocument(SESSION, record, doc), text.replace('"scope","x":1', '"scope","mode":"manual","x":1'));
  assert.throws(
    () => decodeDocument(SESSION, Buffer.from(text.replace('"at_ms":6', '"at_ms":6.0').replace('"scope"', "3"))),
    (e: unknown) => e instanceof ValidationError && e.issues.map((i) => i.path).join() === "instrument.name,readings[1].at_ms",
  );
  const older = '{"schema_version":"1.1","instrument":{"name":"s"}}';
  assert.equal(documentRecord(decodeDocument(SESSION, Buffer.from(older))).operator, undefined);
  assert.throws(() => decodeDocument(SESSION, Buffer.from(older.replace("1.1", "1.2"))), ValidationError);
  const newer = '{"schema_version":"1.3","instrument":{"name":"s","mode":"robotic"},"operator":"a"}';
  assert.equal(documentRecord(decodeDocument(SESSION, Buffer.from(newer))).instrument.mode, "robotic");
  assert.throws(() => decodeDocument(SESSION, Buffer.from(newer.replace("1.3", "1.2"))), ValidationError);
  const validate = new Ajv2020({ strict: true }).compile(jsonSchemaOf(SESSION));
  for (const [t, ok] of [[text, true], [older, true], [older.replace("1.1", "1.2"), false], [newer.replace("1.3", "1.2"), false], [text.replace('"at_ms":5', '"at_ms":5.5'), false]] as const) {
    assert.equal(validate(JSON.parse(t)), ok, t);
  }
});
