import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { cli, stdoutJson } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";
import { cachePaths, equipmentRecord, markerRecord, put } from "../helpers/tree.js";
import { readFileSync } from "node:fs";
import { REPO_ROOT } from "../helpers/filelock.js";

const fixture = (dir: string, name: string): string => readFileSync(join(REPO_ROOT, "test", "fixtures", dir, `${name}.json`), "utf8");

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
  assert.match(wrongName.stderr, /^error: Expected a file named equipment\.json, test_runs\.json, runs\.json, creation\.json, ingest\.json or readme_fields\.json \(or one kept aside as <name>\.corrupt-<time>\), got `notes\.json` \[usage_error\]\n/);
  const missing = await cli(t, ["show", cachePaths(root).equipment]);
  assert.equal(missing.code, 2);
  assert.equal(missing.stderr, `error: ${cachePaths(root).equipment}: no such file or directory [not_found]\n`);
});

test("show prints an ingest.json one history member per line, escaped; --json gives the record", async (t) => {
  const root = await tempDir(t);
  const text = fixture("ingest", "three-steps").replace('"nas_path":"//nas01/lab/X"', '"nas_path":"evil\\u001b[31m\\u2028FAKE"');
  const path = await put(join(root, "staging", "ingest.json"), text);
  const run = await cli(t, ["show", path]);
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.split("\n");
  assert.deepEqual(lines.slice(7, 11), [
    "  current_state              sync_verified",
    "  history[0].state           staging",
    "  history[0].at              2026-04-17T14:35:00Z",
    "  history[0].host            labpc-04",
  ]);
  assert.equal(lines[15], "  history[1].bytes_received  48293847234");
  assert.equal(lines[22], "  history[3].nas_path        evil\\x1b[31m\\u2028FAKE");
  assert.ok(!run.stdout.includes("\u001b") && !run.stdout.includes("\u2028"), "no raw ESC or line separator reaches the terminal");
  assert.equal(lines.length, 25);
  const json = await cli(t, ["show", path, "--json"]);
  assert.equal(json.code, 0);
  const shown = stdoutJson(json) as { kind: string; record: { current_state: string; history: unknown[] } };
  assert.equal(shown.kind, "ingest");
  assert.equal(shown.record.current_state, "sync_verified");
  assert.equal(shown.record.history.length, 4);
});

test("show prints a readme_fields.json one field per line, layers and all", async (t) => {
  const root = await tempDir(t);
  const path = await put(join(root, "readme_fields.json"), fixture("readme_fields", "app"));
  const run = await cli(t, ["show", path]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(
    run.stdout,
    [
      path,
      "  schema_version                  1.1",
      "  generated_at                    2026-04-17T14:32:00Z",
      "  core_fields.label               Cortex Q3 calibration sweep",
      "  core_fields.operator            asmith",
      "  core_fields.objective           Characterize.",
      "  system_fields.created           2026-04-17T14:32:00Z",
      "  system_fields.created_by        asmith",
      "  system_fields.equipment.id      CONFOCAL_01",
      "  system_fields.equipment.label   Confocal Microscope 1",
      "  system_fields.template.name     confocal_run_v2",
      "  system_fields.template.version  2.1",
      "  system_fields.project           PROJ-0042",
      "  system_fields.run               Run_2026-04-17T14-32",
      "  system_fields.run_kind          experimental",
      "  template_fields.sample_type     Fixed tissue",
      "  config_fields                   {}",
      "  custom_fields[0].label          Collaborator",
      "  custom_fields[0].value          Dr. J. Lee",
      "",
    ].join("\n"),
  );
  const json = stdoutJson(await cli(t, ["show", path, "--json"])) as { kind: string; record: { core_fields: Record<string, string> } };
  assert.equal(json.kind, "readme_fields");
  assert.equal(json.record.core_fields["operator"], "asmith");
});

test("show refuses an ingest.json whose state this version does not know, at its own minor", async (t) => {
  const root = await tempDir(t);
  const path = await put(join(root, "ingest.json"), fixture("ingest", "bootstrap").replace('"current_state":"staging"', '"current_state":"quarantined"'));
  const run = await cli(t, ["show", path]);
  assert.equal(run.code, 1);
  assert.match(run.stdout + run.stderr, /current_state/);
});
