import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { cli, stdoutJson } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";
import { cachePaths, equipmentRecord, markerRecord, put } from "../helpers/tree.js";

test("show prints an equipment.json field by field, fields of a newer minor apart", async (t) => {
  const root = await tempDir(t);
  const path = await put(cachePaths(root).equipment, equipmentRecord({ schema_version: "1.3", room: "B-104", calibration: { due: "2026-09-01" } }));
  const run = await cli(t, ["show", path]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(
    run.stdout,
    [
      path,
      "  schema_version         1.3",
      "  id                     CONFOCAL_01",
      "  label                  Confocal Microscope 1",
      "  configured_local_root  /data/lab",
      "  configured_nas_root    //nas01/lab",
      "  first_seen_at          2025-09-12T09:14:00Z",
      "  last_modified_at       2026-04-17T14:32:00Z",
      "  other fields (from a newer minor version):",
      "  room         B-104",
      '  calibration  {"due":"2026-09-01"}',
      "",
    ].join("\n"),
  );
  const json = await cli(t, ["show", path, "--json"]);
  assert.equal(json.code, 0);
  assert.deepEqual(stdoutJson(json), {
    path,
    kind: "equipment",
    record: equipmentRecord({ schema_version: "1.3" }),
    other_fields: { room: "B-104", calibration: { due: "2026-09-01" } },
  });
});

test("show reads a test_runs.json without run_kind (as the Python application writes it) as a test marker", async (t) => {
  const root = await tempDir(t);
  const rec = markerRecord("test");
  delete rec["run_kind"];
  const path = await put(cachePaths(root).testRuns, rec);
  const run = await cli(t, ["show", path, "--json"]);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(stdoutJson(run), { path, kind: "test_runs", record: markerRecord("test"), other_fields: {} });
});

test("a schema-major mismatch is printed with its code and field, exit 1 (envelope with --json)", async (t) => {
  const root = await tempDir(t);
  const path = await put(cachePaths(root).runs, markerRecord("experimental", { schema_version: "2.0" }));
  const run = await cli(t, ["show", path]);
  assert.equal(run.code, 1);
  assert.equal(run.stdout, "");
  assert.equal(run.stderr, `error: Expected \`schema_version\` of major 1 (1.x) in ${path}, got \`2.0\` [schema_major_mismatch]\n`);
  const json = await cli(t, ["show", path, "--json"]);
  assert.equal(json.code, 1);
  assert.deepEqual(stdoutJson(json), {
    error: {
      code: "schema_major_mismatch",
      message: `Expected \`schema_version\` of major 1 (1.x) in ${path}, got \`2.0\``,
      field: "schema_version",
      details: { expected_major: 1, found: "2.0", path },
    },
  });
});

test("a validation problem names the field, exit 1", async (t) => {
  const root = await tempDir(t);
  const path = await put(cachePaths(root).equipment, equipmentRecord({ id: "confocal-01" }));
  const json = await cli(t, ["show", path, "--json"]);
  assert.equal(json.code, 1);
  const env = stdoutJson(json) as { error: { code: string; field: string } };
  assert.equal(env.error.code, "validation_failed");
  assert.equal(env.error.field, "id");
});

test("an unknown file name or a missing file is an error that stops the command (exit 2)", async (t) => {
  const root = await tempDir(t);
  const other = await put(join(root, "notes.json"), "{}");
  const wrongName = await cli(t, ["show", other]);
  assert.equal(wrongName.code, 2);
  assert.match(wrongName.stderr, /^error: Expected a file named equipment\.json, test_runs\.json, runs\.json or creation\.json \(or one kept aside as <name>\.corrupt-<time>\), got `notes\.json` \[usage_error\]\n/);
  const missing = await cli(t, ["show", cachePaths(root).equipment]);
  assert.equal(missing.code, 2);
  assert.equal(missing.stderr, `error: ${cachePaths(root).equipment}: no such file or directory [not_found]\n`);
});
