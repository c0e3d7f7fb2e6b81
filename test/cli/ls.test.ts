import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { needs } from "../helpers/capabilities.js";
import { BIN, RUN_SCRIPT, cli, stdoutJson } from "../helpers/cli.js";
import { finished, startChild } from "../helpers/children.js";
import { tempDir } from "../helpers/tmp.js";
import { cachePaths, equipmentRecord, markerRecord, put, validTree } from "../helpers/tree.js";
import displayWidth from "string-width";

test("ls shows one row per equipment folder, sorted, with counts of projects and of marked ones; --wide names them", async (t) => {
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
      "AAA_EMPTY    (no equipment.json)    -                     -                     0         0          0",
      "CONFOCAL_01  Confocal Microscope 1  2025-09-12T09:14:00Z  2026-04-17T14:32:00Z  1         1          1",
      "FLOW_01      Flow Cytometer 1       2025-09-12T09:14:00Z  2026-04-17T14:32:00Z  1         0          0",
      `3 equipment folders, 2 projects; 1 problem: run \`exlab-cache check ${root}\``,
      "",
    ].join("\n"),
  );
  const wide = await cli(t, ["ls", root, "--wide"]);
  assert.equal(wide.code, 0, wide.stderr);
  assert.deepEqual(wide.stdout.split("\n").slice(1, 4), [
    "AAA_EMPTY    (no equipment.json)    -                     -                     0         -          -",
    "CONFOCAL_01  Confocal Microscope 1  2025-09-12T09:14:00Z  2026-04-17T14:32:00Z  1         PROJ-0042  PROJ-0042",
    "FLOW_01      Flow Cytometer 1       2025-09-12T09:14:00Z  2026-04-17T14:32:00Z  1         -          -",
  ]);
});

/** A tree whose one equipment has a 129-character label and 50 projects, each with a test marker. */
async function wideTree(root: string): Promise<{ label: string; projects: string[] }> {
  const label = `Confocal ${"microscope ".repeat(11)}`.trim();
  await put(cachePaths(root).equipment, equipmentRecord({ label }));
  const projects = Array.from({ length: 50 }, (_, i) => `Project ${String(i).padStart(2, "0")} of the long study`);
  for (const p of projects) await put(cachePaths(root, "CONFOCAL_01", p).testRuns, markerRecord("test", { project: p }));
  return { label, projects };
}

test("ls on a terminal fits its width: labels shortened, then FIRST SEEN left out, then rows cut", needs(["script"]), async (t) => {
  const root = await tempDir(t);
  const { label } = await wideTree(root);
  for (const [columns, wide] of [[100, false], [60, false], [80, true]] as const) {
    // A real terminal of that width: `script` gives the command a pseudo-terminal.
    const command = `stty cols ${columns}; exec ${RUN_SCRIPT} "${BIN}" ls "${root}"${wide ? " --wide" : ""}`;
    const run = await finished(startChild(t, "script", ["-qec", command, "/dev/null"], { NO_COLOR: "1" }));
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.split("\r\n").filter((l) => l !== "");
    assert.equal(lines.length, 3, run.stdout);
    for (const line of lines) assert.ok(displayWidth(line) <= columns, `${displayWidth(line)} > ${columns}: ${line}`);
    assert.ok(lines[1]?.startsWith("CONFOCAL_01  Confoca"), lines[1]);
    assert.ok(lines[1]?.includes("…"), lines[1]);
    assert.ok(!lines[1]?.includes(label));
    assert.equal(lines[0]?.includes("FIRST SEEN"), columns >= 100, lines[0]);
  }
});

test("ls piped or redirected cuts nothing: every label and, with --wide, every project name whole", async (t) => {
  const root = await tempDir(t);
  const { label, projects } = await wideTree(root);
  const run = await cli(t, ["ls", root, "--wide"], { env: { COLUMNS: "40" } });
  assert.equal(run.code, 0, run.stderr);
  const row = run.stdout.split("\n")[1] ?? "";
  assert.ok(row.includes(label), row);
  assert.ok(row.endsWith(`${projects.join(", ")}  -`), row);
  assert.ok(!run.stdout.includes("…"));
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
