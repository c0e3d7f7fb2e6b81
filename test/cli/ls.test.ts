import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { cli, stdoutJson } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";
import { cachePaths, put, validTree } from "../helpers/tree.js";

test("ls shows one row per equipment folder, sorted, with projects and their markers", async (t) => {
  const root = await tempDir(t);
  await validTree(root);
  await mkdir(join(root, "AAA_EMPTY"));
  await mkdir(join(root, "lost+found"));
  await mkdir(join(root, ".snapshot", "X"), { recursive: true });
  const run = await cli(t, ["ls", root]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(
    run.stdout,
    [
      "ID           LABEL                  FIRST SEEN            LAST MODIFIED         PROJECTS  TEST RUNS  RUNS",
      "AAA_EMPTY    (no equipment.json)    -                     -                     0         -          -",
      "CONFOCAL_01  Confocal Microscope 1  2025-09-12T09:14:00Z  2026-04-17T14:32:00Z  1         PROJ-0042  PROJ-0042",
      "FLOW_01      Flow Cytometer 1       2025-09-12T09:14:00Z  2026-04-17T14:32:00Z  1         -          -",
      `3 equipment folders, 2 projects; 1 problem: run \`exlab-cache check ${root}\``,
      "",
    ].join("\n"),
  );
});

test("ls --json gives every row's fields and the problem count", async (t) => {
  const root = await tempDir(t);
  await validTree(root);
  await writeFile(cachePaths(root, "FLOW_01").equipment, "{");
  await put(join(root, "FLOW_01", "Beta", "TestRuns", ".exlab-wizard", "test_runs.json"), "{}");
  const run = await cli(t, ["ls", root, "--json"]);
  assert.equal(run.code, 0, run.stderr);
  const out = stdoutJson(run) as { equipment: { error: { code: string; message: string } | null }[] };
  const flowError = out.equipment[1]?.error;
  assert.equal(flowError?.code, "malformed_file");
  assert.ok(flowError.message.startsWith(`${cachePaths(root, "FLOW_01").equipment} is not a JSON object: invalid JSON`), flowError.message);
  assert.deepEqual(out, {
    root,
    equipment: [
      {
        id: "CONFOCAL_01",
        label: "Confocal Microscope 1",
        first_seen_at: "2025-09-12T09:14:00Z",
        last_modified_at: "2026-04-17T14:32:00Z",
        projects: ["PROJ-0042"],
        test_runs: ["PROJ-0042"],
        runs: ["PROJ-0042"],
        error: null,
      },
      {
        id: "FLOW_01",
        label: null,
        first_seen_at: null,
        last_modified_at: null,
        projects: ["Beta", "Cortex Q3 Pilot"],
        test_runs: ["Beta"],
        runs: [],
        error: flowError,
      },
    ],
    problems: 2,
  });
});

test("ls of an empty root says so; of a missing root or a file, exit 2", async (t) => {
  const root = await tempDir(t);
  const empty = await cli(t, ["ls", root]);
  assert.equal(empty.code, 0);
  assert.equal(empty.stdout, `No equipment folders under ${root}\n`);
  const missing = await cli(t, ["ls", join(root, "nope")]);
  assert.equal(missing.code, 2);
  assert.equal(missing.stderr, `error: ${join(root, "nope")}: no such folder [not_found]\n`);
  const file = await put(join(root, "file"), "x");
  const notDir = await cli(t, ["ls", file, "--json"]);
  assert.equal(notDir.code, 2);
  assert.equal((stdoutJson(notDir) as { error: { code: string } }).error.code, "not_a_directory");
});
