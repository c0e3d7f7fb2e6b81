/**
 * The shipped JSON Schemas and this package's reader agree: a record is
 * accepted by ajv exactly when parseEquipment / parseMarker accept it, for
 * every record the property generators make, valid or mutated to be invalid.
 *
 * What JSON Schema cannot see, and so is out of this comparison: the bytes
 * before they are a JSON value (a byte-order mark, invalid UTF-8, duplicate
 * keys, nesting too deep for the parser). Those are MalformedFileError in the
 * reader and never reach a schema validator as an object.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";
import { Ajv2020 } from "ajv/dist/2020.js";
import fc from "fast-check";
import { creationJsonSchema, encodeCreation, equipmentJsonSchema, newCreationRecord, parseCreation, parseEquipment, parseMarker, runsJsonSchema, testRunsJsonSchema } from "exlab-cache";
import { creationInput } from "./helpers/creation-arbitraries.js";
import { equipmentRecord, fieldMutation, markerRecord, nearTimestamp } from "./reliability/_arbitraries.js";

const ajv = new Ajv2020({ strict: true, allErrors: true });
const kinds = [
  { file: "equipment", schema: equipmentJsonSchema, parse: (b: Buffer) => parseEquipment(b), records: equipmentRecord as fc.Arbitrary<Record<string, unknown>> },
  { file: "test_runs", schema: testRunsJsonSchema, parse: (b: Buffer) => parseMarker(b, "test"), records: markerRecord("test") },
  { file: "runs", schema: runsJsonSchema, parse: (b: Buffer) => parseMarker(b, "experimental"), records: markerRecord("experimental") },
];

function readerAccepts(parse: (b: Buffer) => unknown, record: unknown): boolean {
  try {
    parse(Buffer.from(JSON.stringify(record)));
    return true;
  } catch {
    return false;
  }
}

/** `record` with `key` set to `value`, or removed when `value` is undefined. */
function mutate(record: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const out = { ...record };
  if (value === undefined) delete out[key];
  else out[key] = value;
  return out;
}

for (const kind of kinds) {
  const validate = ajv.compile(kind.schema);
  const fields = Object.keys(kind.schema["properties"] as object);

  test(`${kind.file}: the shipped schema file is the exported schema`, async () => {
    const shipped: unknown = JSON.parse(await readFile(new URL(`../../dist/json-schema/${kind.file}.schema.json`, import.meta.url), "utf8"));
    assert.deepEqual(shipped, kind.schema);
  });

  test(`${kind.file}: ajv and the reader accept every generated record`, () => {
    fc.assert(
      fc.property(kind.records, (record) => {
        assert.equal(validate(record), true, JSON.stringify(validate.errors));
        assert.equal(readerAccepts(kind.parse, record), true);
      }),
      { numRuns: 300 },
    );
  });

  test(`${kind.file}: ajv and the reader agree on every mutated record`, () => {
    let refused = 0;
    fc.assert(
      fc.property(kind.records, fc.constantFrom(...fields), fc.option(fieldMutation, { nil: undefined, freq: 8 }), (record, key, value) => {
        const bad = mutate(record, key, value);
        const ours = readerAccepts(kind.parse, bad);
        if (!ours) refused++;
        assert.equal(validate(bad), ours, `${key} = ${JSON.stringify(value)}`);
      }),
      { numRuns: 3000 },
    );
    // The mutations are mostly refusals; a generator gone soft would show here.
    assert.ok(refused > 1500, `only ${refused} of 3000 mutated records were refused`);
  });
}

test("timestamps: ajv and the reader agree on every date shape, the calendar included", () => {
  const properties = equipmentJsonSchema["properties"] as Record<string, object>;
  const validate = ajv.compile(properties["first_seen_at"] ?? {});
  const named = [
    ["2026-02-30T00:00:00Z", false],
    ["2026-13-01T00:00:00Z", false],
    ["2026-01-01T25:00:00Z", false],
    ["2026-01-01T24:00:00Z", false],
    ["2026-01-01T00:00:60Z", false],
    ["0000-01-01T00:00:00Z", false],
    ["2023-02-29T00:00:00Z", false],
    ["1900-02-29T00:00:00Z", false],
    ["2000-02-29T00:00:00Z", true],
    ["2024-02-29T00:00:00Z", true],
    ["0004-02-29T00:00:00Z", true],
    ["2026-04-31T00:00:00Z", false],
    ["2026-12-31T23:59:59Z", true],
  ] as const;
  for (const [ts, ok] of named) {
    assert.equal(validate(ts), ok, ts);
    assert.equal(readerAccepts(parseEquipment, { ...equipmentBase, first_seen_at: ts }), ok, ts);
  }
  fc.assert(
    fc.property(nearTimestamp, (ts) => {
      assert.equal(validate(ts), readerAccepts(parseEquipment, { ...equipmentBase, first_seen_at: ts }), ts);
    }),
    { numRuns: 20000 },
  );
});

const equipmentBase = {
  schema_version: "1.0",
  id: "CONFOCAL_01",
  label: "Confocal",
  configured_local_root: "/data",
  configured_nas_root: "//nas/lab",
  first_seen_at: "2026-04-17T14:32:00Z",
  last_modified_at: "2026-04-17T14:32:00Z",
};

// ---- creation.json: nested blocks, arrays of objects, enums, nullable, integers ----

const validateCreation = ajv.compile(creationJsonSchema);
const creationFile = creationInput.map((input) => JSON.parse(encodeCreation(newCreationRecord(input, { created_at: "2026-01-01T00:00:00Z" }))) as Record<string, unknown>);
const parseCreationBytes = (b: Buffer): unknown => parseCreation(b);

type Step = string | number;
/** Every position in the known blocks of a file (not inside free-form values), as a path. */
function positions(file: Record<string, unknown>): Step[][] {
  const out: Step[][] = [];
  const free = new Set(["variables"]);
  const walk = (value: unknown, at: Step[]): void => {
    out.push(at);
    const last = at.at(-1);
    if (typeof last === "string" && free.has(last)) return;
    if (at[0] === "validation_overrides" && at.length === 2) return; // entries are free-form objects
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...at, i]));
    else if (typeof value === "object" && value !== null) for (const [k, v] of Object.entries(value)) walk(v, [...at, k]);
  };
  for (const [k, v] of Object.entries(file)) walk(v, [k]);
  return out;
}

/** A deep copy of `file` with the value at `at` replaced (or removed, for undefined); a missing key is added. */
function mutateAt(file: Record<string, unknown>, at: readonly Step[], value: unknown): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(file)) as Record<string, unknown>;
  let parent: Record<string | number, unknown> = copy;
  for (const step of at.slice(0, -1)) parent = parent[step] as Record<string | number, unknown>;
  const last = at.at(-1) as Step;
  if (value === undefined && !Array.isArray(parent)) delete parent[last];
  else parent[last] = value === undefined ? null : value;
  return copy;
}

const nestedMutation = fc.constantFrom<unknown>(
  undefined, null, 0, 7, -1, 1.5, 2 ** 53, true, false, "", "x", [], {}, ["x"], { a: 1 },
  "live", "cache", "archived", "success", "timeout", "quarantined", "both", "manifest", "run", "test", "cleaned", "1.4", "1.9", "2.0",
);

test("creation: ajv and the reader accept every generated file", () => {
  fc.assert(
    fc.property(creationFile, (file) => {
      assert.equal(validateCreation(file), true, JSON.stringify(validateCreation.errors));
      assert.equal(readerAccepts(parseCreationBytes, file), true);
    }),
    { numRuns: 300 },
  );
});

test("creation: ajv and the reader agree on files mutated at any depth", () => {
  let refused = 0;
  let nested = 0;
  fc.assert(
    fc.property(creationFile, fc.nat(), nestedMutation, fc.boolean(), (file, pick, value, extraKey) => {
      const all = positions(file);
      const at = all[pick % all.length] as Step[];
      // Sometimes a member the block does not have yet (unknown members are allowed).
      const target = extraKey && typeof at.at(-1) === "string" ? [...at.slice(0, -1), "x_new"] : at;
      const bad = mutateAt(file, target, value);
      const ours = readerAccepts(parseCreationBytes, bad);
      if (!ours) refused++;
      if (at.length > 1) nested++;
      assert.equal(validateCreation(bad), ours, `${target.join(".")} = ${JSON.stringify(value)}`);
    }),
    { numRuns: 4000 },
  );
  assert.ok(refused > 1000 && nested > 1500, `refused ${refused}, nested ${nested} of 4000`);
});

test("creation: ajv and the reader agree on lims_project across the 1.5 boundary", () => {
  fc.assert(
    fc.property(creationFile, fc.integer({ min: 0, max: 9 }), (file, minor) => {
      const old = mutateAt(mutateAt(file, ["lims_project"], undefined), ["schema_version"], `1.${minor}`);
      assert.equal(validateCreation(old), minor < 5);
      assert.equal(readerAccepts(parseCreationBytes, old), minor < 5);
    }),
    { numRuns: 200 },
  );
});

test("creation: the shipped schema file is the exported schema", async () => {
  const shipped: unknown = JSON.parse(await readFile(new URL("../../dist/json-schema/creation.schema.json", import.meta.url), "utf8"));
  assert.deepEqual(shipped, creationJsonSchema);
});
