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
import type * as RecordModule from "../dist/schema/record.js";
import type * as RulesModule from "../dist/schema/rules.js";
import type * as VersionModule from "../dist/schema/version.js";
const load = async <T>(path: string): Promise<T> => (await import(new URL(`../../dist/${path}`, import.meta.url).href)) as T;
const { defineRecord, encodeRecordOf, jsonSchemaOf, parseRecord, stampRecord, validateInput } = await load<typeof RecordModule>("schema/record.js");
const { rules } = await load<typeof RulesModule>("schema/rules.js");
const { SCHEMA_MAJOR, SCHEMA_VERSION } = await load<typeof VersionModule>("schema/version.js");
const { recordPath } = await load<typeof PathsModule>("cache/paths.js");

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
