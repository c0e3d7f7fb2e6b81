/**
 * `exlab-cache runs`: run folders with their run_kind and sync_status, the
 * "which runs are not synced?" filter, unreadable records always listed,
 * output escaped; and `show` on a creation.json.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { cli, stdoutJson } from "../helpers/cli.js";
import { REPO_ROOT } from "../helpers/filelock.js";
import { tempDir } from "../helpers/tmp.js";

const B = readFileSync(join(REPO_ROOT, "test", "fixtures", "creation", "B.json"), "utf8");
const withStatus = (status: string | undefined, kind = "experimental"): string =>
  (status === undefined ? B : B.replace(/}$/, `,"sync_status":"${status}"}`)).replace('"run_kind":"experimental"', `"run_kind":"${kind}"`);

async function putRun(root: string, rel: string, text: string | undefined): Promise<string> {
  const dir = join(root, rel, ".exlab-wizard");
  await mkdir(dir, { recursive: true });
  if (text !== undefined) await writeFile(join(dir, "creation.json"), text);
  return join(root, rel);
}

async function tree(t: TestContext): Promise<string> {
  const root = await tempDir(t);
  await putRun(root, "CONFOCAL_01/P1/Runs/Run_2026-04-17T14-32", withStatus("synced"));
  await putRun(root, "CONFOCAL_01/P1/Runs/Run_2026-04-18T09-00", withStatus("blocked_by_validation"));
  await putRun(root, "CONFOCAL_01/P1/TestRuns/TestRun_2026-04-18T10-00", withStatus(undefined, "test"));
  await putRun(root, "CONFOCAL_01/P1/Runs/Run_2026-04-19T00-00", withStatus("cleaned"));
  await putRun(root, "CONFOCAL_01/P2\u001b[31m/Runs/Run_2026-04-20T00-00", "{not json");
  await putRun(root, "SEM_02/P3/Runs/Run_2026-04-21T00-00", undefined);
  await putRun(root, "SEM_02/P3/Runs/notes", withStatus("failed")); // not a run folder
  await putRun(root, "lowercase/P/Runs/Run_2026-04-21T00-00", withStatus("failed")); // not an equipment folder
  return root;
}

test("runs lists every run folder with its kind and status, unreadable ones with the reason (exit 1)", async (t) => {
  const root = await tree(t);
  const run = await cli(t, ["runs", root, "--json"]);
  assert.equal(run.code, 1, run.stderr);
  const out = stdoutJson(run) as { runs: { run: string; project: string; run_kind: string | null; sync_status: string | null; error: { code: string } | null }[]; unreadable: number };
  assert.deepEqual(
    out.runs.map((r) => [r.project, r.run, r.run_kind, r.sync_status, r.error?.code ?? null]),
    [
      ["P1", "Run_2026-04-17T14-32", "experimental", "synced", null],
      ["P1", "Run_2026-04-18T09-00", "experimental", "blocked_by_validation", null],
      ["P1", "Run_2026-04-19T00-00", "experimental", "cleaned", null],
      ["P1", "TestRun_2026-04-18T10-00", "test", "pending", null],
      ["P2\u001b[31m", "Run_2026-04-20T00-00", null, null, "malformed_file"],
      ["P3", "Run_2026-04-21T00-00", null, null, "not_found"],
    ],
  );
  assert.equal(out.unreadable, 2);
});

test("runs --unsynced answers which runs are not synced; --status filters by a list", async (t) => {
  const root = await tree(t);
  const unsynced = stdoutJson(await cli(t, ["runs", root, "--unsynced", "--json"])) as { runs: { run: string }[] };
  assert.deepEqual(unsynced.runs.map((r) => r.run), ["Run_2026-04-18T09-00", "TestRun_2026-04-18T10-00", "Run_2026-04-20T00-00", "Run_2026-04-21T00-00"]);
  const some = stdoutJson(await cli(t, ["runs", root, "--status", "synced,cleaned", "--json"])) as { runs: { run: string }[] };
  assert.deepEqual(some.runs.map((r) => r.run), ["Run_2026-04-17T14-32", "Run_2026-04-19T00-00", "Run_2026-04-20T00-00", "Run_2026-04-21T00-00"]);
  const bad = await cli(t, ["runs", root, "--status", "archived"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /Expected --status to list pending, synced, failed, blocked_by_validation, cleaned/);
});

test("runs for people: a table, escaped names, the reason for unreadable records", async (t) => {
  const root = await tree(t);
  const run = await cli(t, ["runs", root, "--status", "blocked_by_validation"]);
  assert.equal(run.code, 1);
  assert.equal(
    run.stdout,
    [
      "RUN                                               RUN KIND      SYNC STATUS",
      "CONFOCAL_01/P1/Runs/Run_2026-04-18T09-00          experimental  blocked_by_validation",
      "CONFOCAL_01/P2\\x1b[31m/Runs/Run_2026-04-20T00-00  -             (malformed_file)",
      "SEM_02/P3/Runs/Run_2026-04-21T00-00               -             (not_found)",
      "3 runs, 2 without a readable creation.json",
      "",
    ].join("\n"),
  );
});

test("show prints a creation.json with nested blocks as dotted paths, and as JSON", async (t) => {
  const root = await tempDir(t);
  const text = withStatus("blocked_by_validation").replace('"nas":"//nas01/lab/CONFOCAL_01"}', '"nas":"//nas01/lab/CONFOCAL_01","x_new":"a\\nb"}');
  const dir = await putRun(root, "CONFOCAL_01/P/Runs/Run_1", text.replace('"created_by":"asmith"', '"created_by":"as\\u001bmith"').replace(/}$/, ',"x_top":1}'));
  const path = join(dir, ".exlab-wizard", "creation.json");
  const run = await cli(t, ["show", path]);
  assert.equal(run.code, 0, run.stderr);
  for (const line of [
    /^ {2}created_by +as\\x1bmith$/m,
    /^ {2}lims_project\.short_id +PROJ-0042$/m,
    /^ {2}orchestrator\.completeness_signal +sentinel_file$/m,
    /^ {2}variables\.laser_nm +488$/m,
    /^ {2}sync_status +blocked_by_validation$/m,
    /^ {2}validation_overrides +\[\]$/m,
    /^ {2}other fields \(from a newer minor version\):\n {2}x_top +1$/m,
  ]) {
    assert.match(run.stdout, line);
  }
  const json = stdoutJson(await cli(t, ["show", path, "--json"])) as { kind: string; record: Record<string, unknown> };
  assert.equal(json.kind, "creation");
  assert.deepEqual((json.record["paths"] as Record<string, unknown>)["local"], "/data/lab/CONFOCAL_01/Cortex Q3 Pilot/Runs/Run_2026-04-17T14-32");
  assert.equal(json.record["sync_status"], "blocked_by_validation");
});
