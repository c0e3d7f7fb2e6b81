import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { test } from "node:test";
import {
  EquipmentCacheWriter,
  MalformedFileError,
  SchemaMajorMismatchError,
  ValidationError,
  equipmentJsonPath,
  equipmentJsonSchema,
  isEquipmentId,
  parseEquipment,
  parseSchemaVersion,
  projectNameProblem,
  requireSchemaMajor,
  runsMarkerPath,
  testRunsMarkerPath,
} from "exlab-cache";
import { tempDir } from "./helpers/tmp.js";
import { equipmentRecord } from "./helpers/tree.js";
import { PYTHON, needs } from "./helpers/capabilities.js";

const good = equipmentRecord();
const bytes = (v: unknown): Buffer => Buffer.from(typeof v === "string" ? v : JSON.stringify(v));

test("requireSchemaMajor accepts any minor of the major and refuses everything else", () => {
  for (const v of ["1.0", "1.7", "1.12"]) requireSchemaMajor(v, { expectedMajor: 1 });
  for (const v of ["2.0", "0.9", "1", "01.0", "1.x", "", "1.0.0", " 1.0", null, undefined]) {
    assert.throws(
      () => requireSchemaMajor(v, { expectedMajor: 1 }),
      (err: unknown) =>
        err instanceof SchemaMajorMismatchError &&
        err.code === "schema_major_mismatch" &&
        err.field === "schema_version" &&
        err.expectedMajor === 1 &&
        typeof err.found === "string",
      String(v),
    );
  }
  assert.deepEqual(parseSchemaVersion("1.3"), { major: 1, minor: 3 });
  assert.equal(parseSchemaVersion(1.0), undefined);
});

test("the mismatch error renders the §4.6.3 envelope", () => {
  try {
    requireSchemaMajor("2.0", { expectedMajor: 1 });
    assert.fail("did not throw");
  } catch (err) {
    assert.ok(err instanceof SchemaMajorMismatchError);
    assert.deepEqual(err.toEnvelope(), {
      error: {
        code: "schema_major_mismatch",
        message: err.message,
        field: "schema_version",
        details: { expected_major: 1, found: "2.0" },
      },
    });
  }
});

test("the version is checked before any other field", () => {
  // Every other field is wrong too, yet the error is the version's.
  assert.throws(() => parseEquipment(bytes({ schema_version: "3.0", id: 7 })), SchemaMajorMismatchError);
  assert.throws(() => parseEquipment(bytes({ schema_version: 1.0, id: 7 })), (err: unknown) => {
    return err instanceof SchemaMajorMismatchError && err.found === "1";
  });
});

test("a newer minor reads fine, its unknown fields left out of the result", () => {
  const record = parseEquipment(bytes({ ...good, schema_version: "1.4", calibration: { due: "2027-01-01" } }));
  assert.deepEqual(record, { ...good, schema_version: "1.4" });
});

test("validation collects every issue with its field path", () => {
  const { configured_nas_root: _dropped, ...rest } = good;
  const bad = { ...rest, id: "confocal 01", label: 3, first_seen_at: "2025-09-12 09:14:00", last_modified_at: "2026-02-30T00:00:00Z" };
  assert.throws(() => parseEquipment(bytes(bad), "/x/equipment.json"), (err: unknown) => {
    assert.ok(err instanceof ValidationError);
    assert.equal(err.path, "/x/equipment.json");
    assert.deepEqual(
      err.issues.map((i) => [i.path, i.received]),
      [
        ["id", "`confocal 01`"],
        ["label", "number 3"],
        ["configured_nas_root", "missing"],
        ["first_seen_at", "`2025-09-12 09:14:00`"],
        ["last_modified_at", "`2026-02-30T00:00:00Z`"],
      ],
    );
    assert.equal(err.toEnvelope().error.field, "id");
    return true;
  });
});

test("ids: the grammar and the 32-character bound", () => {
  assert.ok(isEquipmentId("A"));
  assert.ok(isEquipmentId(`A${"B".repeat(31)}`));
  for (const id of [`A${"B".repeat(32)}`, "a", "1ABC", "AB-C", "AB C", "", "A/B"]) assert.equal(isEquipmentId(id), false, id);
});

test("project names: the §3.2 examples", () => {
  for (const ok of ["Cortex Q3 Pilot", "PROJ-0042", "Q3_run (pilot)", "a.b.c"]) assert.equal(projectNameProblem(ok), undefined, ok);
  for (const bad of ["café", "CON", "nul.txt", "star*", "..", ".", " lead", "trail ", "a/b", "a\\b", "x\0y", "x".repeat(256), "com1", "LPT9.log"]) {
    assert.notEqual(projectNameProblem(bad), undefined, bad);
  }
});

test("path helpers refuse bad ids and unsafe project segments instead of leaving the root", () => {
  assert.equal(equipmentJsonPath("/data/lab", "CONFOCAL_01"), "/data/lab/CONFOCAL_01/.exlab-wizard/equipment.json");
  assert.equal(
    testRunsMarkerPath("/data/lab", "CONFOCAL_01", "Q3_run (pilot)"),
    "/data/lab/CONFOCAL_01/Q3_run (pilot)/TestRuns/.exlab-wizard/test_runs.json",
  );
  for (const project of ["..", "a/b", "x\0", "x".repeat(300), ""]) {
    assert.throws(() => runsMarkerPath("/data/lab", "CONFOCAL_01", project), (err: unknown) => {
      return err instanceof ValidationError && err.issues.some((i) => i.path === "project");
    });
  }
  assert.throws(() => equipmentJsonPath("/data/lab", "../etc"), ValidationError);
  assert.throws(() => equipmentJsonPath("", "CONFOCAL_01"), ValidationError);
});

test("malformed bytes are a malformed_file error, never a crash", () => {
  const cases: [string, Buffer][] = [
    ["empty", Buffer.alloc(0)],
    ["not json", bytes("{nope")],
    ["array", bytes("[1,2]")],
    ["number", bytes("12")],
    ["null", bytes("null")],
    ["bom", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes(good)])],
    ["invalid utf-8", Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])],
  ];
  for (const [name, b] of cases) {
    assert.throws(() => parseEquipment(b, "/x"), (err: unknown) => err instanceof MalformedFileError && err.code === "malformed_file", name);
  }
});

test("the JSON Schema names every field and its constraints", () => {
  const props = equipmentJsonSchema["properties"] as Record<string, Record<string, unknown>>;
  assert.deepEqual(Object.keys(props), Object.keys(good));
  assert.equal(props["id"]?.["pattern"], "^[A-Z][A-Z0-9_]*$");
  assert.equal(props["id"]?.["maxLength"], 32);
  assert.deepEqual(equipmentJsonSchema["required"], Object.keys(good));
});

test("the writer's bytes are identical to Python's compact JSON of the same record", needs(["python3"]), async (t) => {
  const root = await tempDir(t);
  const path = equipmentJsonPath(root, "CONFOCAL_01");
  await new EquipmentCacheWriter().writeEquipment(path, {
    id: "CONFOCAL_01",
    label: 'Mikroskop \u00fc \u6f22 "quoted" \\ tab\t',
    configured_local_root: "/data/lab",
    configured_nas_root: "//nas01/lab",
  });
  const ours = await readFile(path);
  const python = execFileSync(PYTHON, [
    "-c",
    "import json,sys; r=json.load(open(sys.argv[1],encoding='utf-8')); sys.stdout.buffer.write(json.dumps(r, separators=(',',':'), ensure_ascii=False).encode())",
    path,
  ]);
  assert.equal(ours.toString("utf8"), python.toString("utf8"));
  assert.ok(ours.equals(python));
});

test("the published JSON Schema files match the validators' field lists", async () => {
  const { createRequire } = await import("node:module");
  const require = createRequire(import.meta.url);
  assert.deepEqual(require("exlab-cache/json-schema/equipment.schema.json"), equipmentJsonSchema);
  const runs = require("exlab-cache/json-schema/runs.schema.json") as { properties: { run_kind: { const: string } } };
  assert.equal(runs.properties.run_kind.const, "experimental");
});
