/**
 * The measured fixtures of the audit digest (§4.9, §7, §13): each tree
 * built as described, audited, and compared with the application's output
 * byte for byte (the lab root written `<L>`).
 */
import assert from "node:assert/strict";
import { mkdir, symlink } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { auditTree } from "../../src/tree/audit.js";
import { tempDir } from "../helpers/tmp.js";
import { config, put, record, withL } from "./_trees.js";

const NOW = () => new Date("2026-05-01T12:00:00Z");

async function auditLines(root: string, ids: string[], more: Record<string, unknown> = {}): Promise<string[]> {
  const { findings } = await auditTree({ config: config(root, ids, more), now: NOW });
  return findings.map((f) => withL(root, JSON.stringify(f.finding).replaceAll('","', '", "').replaceAll('":', '": ').replaceAll(',"', ', "')));
}

// The digest prints Python's json.dumps default separators; ours are compared after the same spacing.
test("fixture A: the four findings of the application, in its order", async (t) => {
  const root = await tempDir(t);
  const P = "CONFOCAL_01/PROJ-0042";
  await record(root, P, { level: "project" });
  await record(root, `${P}/Runs/Run_2026-04-17T14-32`);
  await put(root, `${P}/Runs/Run_2026-04-17T14-32/README.md`, "---\nsample: <sample_id>\n---\n# Run\n");
  await record(root, `${P}/Runs/Run_2026-04-18T09-00`, { run_kind: "test", sync_status: "synced" });
  await mkdir(join(root, P, "TestRuns/TestRun_2026-04-19T10-00"), { recursive: true });
  const lines = await auditLines(root, ["CONFOCAL_01"]);
  assert.deepEqual(lines, [
    `{"rule": "mode_prefix_mismatch", "tier": "hard", "run_path": "<L>/CONFOCAL_01/PROJ-0042/Runs/Run_2026-04-18T09-00", "offending_path": "<L>/CONFOCAL_01/PROJ-0042/Runs/Run_2026-04-18T09-00", "offending_kind": "directory_segment", "matched_token": "Run_2026-04-18T09-00", "rule_detail": "creation.json run_kind='test' requires leaf prefix 'TestRun_' but leaf is 'Run_2026-04-18T09-00'.", "synced_under_prior_policy": true, "override_active": false}`,
    `{"rule": "mode_prefix_mismatch", "tier": "hard", "run_path": "<L>/CONFOCAL_01/PROJ-0042/Runs/Run_2026-04-18T09-00", "offending_path": "<L>/CONFOCAL_01/PROJ-0042/Runs/Run_2026-04-18T09-00", "offending_kind": "directory_segment", "matched_token": "Runs", "rule_detail": "creation.json run_kind='test' requires parent == 'TestRuns' but parent is 'Runs'.", "synced_under_prior_policy": true, "override_active": false}`,
    `{"rule": "unresolved_placeholder_token", "tier": "hard", "run_path": "<L>/CONFOCAL_01/PROJ-0042/Runs/Run_2026-04-17T14-32", "offending_path": "<L>/CONFOCAL_01/PROJ-0042/Runs/Run_2026-04-17T14-32/README.md", "offending_kind": "file_content", "matched_token": "<sample_id>", "rule_detail": "Angle-bracket identifier token <sample_id> was not resolved by the renderer.", "synced_under_prior_policy": false, "override_active": false}`,
    `{"rule": "orphan", "tier": "soft", "run_path": "<L>/CONFOCAL_01/PROJ-0042/TestRuns/TestRun_2026-04-19T10-00", "offending_path": "<L>/CONFOCAL_01/PROJ-0042/TestRuns/TestRun_2026-04-19T10-00", "offending_kind": "directory_segment", "matched_token": null, "rule_detail": "Run-level directory has no creation.json -- the cache file is expected at this level but is missing.", "synced_under_prior_policy": false, "override_active": false}`,
  ]);
});

test("fixture B: flags from a cleaned run's active and revoked overrides (§7)", async (t) => {
  const root = await tempDir(t);
  const run = "FLOW_02/PROJ-0042/Runs/Run_2026-04-17T14-32";
  await record(root, "FLOW_02/PROJ-0042", { level: "project" });
  await record(root, run, {
    sync_status: "cleaned",
    validation_overrides: [
      { id: "a1", problem_class: "unresolved_placeholder_token", operator: "asmith", recorded_at: "2026-04-18T09:14:22Z", reason: "Vendor template.", revoked: false, expires_at: null },
      { id: "b2", problem_class: "illegal_filesystem_character", operator: "asmith", recorded_at: "2026-04-18T09:14:22Z", reason: "Temporary.", revoked: false, expires_at: null },
      { id: "c3", revokes: "b2", operator: "asmith", recorded_at: "2026-04-19T09:14:22Z", reason: "No longer.", revoked: true },
    ],
  });
  await put(root, `${run}/<sample>.txt`, "data\n");
  const lines = await auditLines(root, ["FLOW_02"]);
  assert.deepEqual(lines, [
    `{"rule": "illegal_filesystem_character", "tier": "hard", "run_path": "<L>/FLOW_02/PROJ-0042/Runs/Run_2026-04-17T14-32", "offending_path": "<L>/FLOW_02/PROJ-0042/Runs/Run_2026-04-17T14-32/<sample>.txt", "offending_kind": "file_name", "matched_token": "<", "rule_detail": "Name '<sample>.txt' contains illegal filesystem character '<'.", "synced_under_prior_policy": true, "override_active": false}`,
    `{"rule": "illegal_filesystem_character", "tier": "hard", "run_path": "<L>/FLOW_02/PROJ-0042/Runs/Run_2026-04-17T14-32", "offending_path": "<L>/FLOW_02/PROJ-0042/Runs/Run_2026-04-17T14-32/<sample>.txt", "offending_kind": "file_name", "matched_token": ">", "rule_detail": "Name '<sample>.txt' contains illegal filesystem character '>'.", "synced_under_prior_policy": true, "override_active": false}`,
    `{"rule": "unresolved_placeholder_token", "tier": "hard", "run_path": "<L>/FLOW_02/PROJ-0042/Runs/Run_2026-04-17T14-32", "offending_path": "<L>/FLOW_02/PROJ-0042/Runs/Run_2026-04-17T14-32/<sample>.txt", "offending_kind": "file_name", "matched_token": "<sample>", "rule_detail": "Angle-bracket identifier token <sample> was not resolved by the renderer.", "synced_under_prior_policy": true, "override_active": true}`,
  ]);
});

test("§4.9: a project's own name judged twice, parent-loop copy first", async (t) => {
  const root = await tempDir(t);
  await record(root, "SEM_04/Proj_<name>", { level: "project" });
  const lines = (await auditLines(root, ["SEM_04"])).filter((l) => l.includes('"unresolved_placeholder_token"'));
  assert.deepEqual(lines, [
    `{"rule": "unresolved_placeholder_token", "tier": "hard", "run_path": "<L>/SEM_04", "offending_path": "<L>/SEM_04/Proj_<name>", "offending_kind": "directory_segment", "matched_token": "<name>", "rule_detail": "Angle-bracket identifier token <name> was not resolved by the renderer.", "synced_under_prior_policy": false, "override_active": false}`,
    `{"rule": "unresolved_placeholder_token", "tier": "hard", "run_path": "<L>/SEM_04/Proj_<name>", "offending_path": "<L>/SEM_04/Proj_<name>", "offending_kind": "directory_segment", "matched_token": "<name>", "rule_detail": "Angle-bracket identifier token <name> was not resolved by the renderer.", "synced_under_prior_policy": false, "override_active": false}`,
  ]);
});

test("§7: a synced run with an active placeholder override flags only what its own pass found", async (t) => {
  const root = await tempDir(t);
  const run = "CONFOCAL_01/P/Runs/Run_<x>";
  await record(root, "CONFOCAL_01/P", { level: "project" });
  await record(root, run, { sync_status: "synced", validation_overrides: [{ id: "a", problem_class: "unresolved_placeholder_token", revoked: false, expires_at: null }] });
  await put(root, `${run}/a_<y>.txt`, "x");
  await put(root, `${run}/raw/b_<z>.txt`, "x");
  const { findings } = await auditTree({ config: config(root, ["CONFOCAL_01"]), now: NOW });
  const flags = findings
    .filter((f) => f.finding.rule === "unresolved_placeholder_token")
    .map((f) => `${withL(root, f.finding.run_path)} ${String(f.finding.matched_token)} ${f.finding.synced_under_prior_policy} ${f.finding.override_active}`);
  assert.deepEqual(flags, [
    "<L>/CONFOCAL_01/P/Runs <x> false false",
    "<L>/CONFOCAL_01/P/Runs/Run_<x> <x> true true",
    "<L>/CONFOCAL_01/P/Runs/Run_<x> <y> true true",
    "<L>/CONFOCAL_01/P/Runs/Run_<x> <z> false false",
  ]);
});

// The digest counts 19 findings for its fixture C and describes the items giving these 18.
test("fixture C: names, reserved stems, trailing dots, symlinks and unsafe project names", async (t) => {
  const root = await tempDir(t);
  const run = "SEM_04/CON/Runs/Run_2026-04-17T14:32";
  await record(root, "SEM_04/CON", { level: "project" });
  await record(root, run);
  await put(root, `${run}/NUL.`, "x");
  await put(root, `${run}/lpt1.log`, "x");
  await put(root, `${run}/x<2 mM>.txt`, "x");
  await put(root, `${run}/COM10`, "x");
  await put(root, `${run}/sub dir/a:b.txt`, "x");
  await symlink("/nonexistent", join(root, run, "link_<x>"));
  await record(root, "SEM_04/ Leading space", { level: "project" });
  await record(root, "SEM_04/Proj_<name>", { level: "project" });
  const { findings } = await auditTree({ config: config(root, ["SEM_04"]), now: NOW });
  const got = findings.map((f) => `${f.finding.rule} ${withL(root, f.finding.run_path)} ${withL(root, f.finding.offending_path)} ${JSON.stringify(f.finding.matched_token)}`);
  assert.deepEqual(got, [
    `illegal_filesystem_character <L>/SEM_04/CON/Runs <L>/SEM_04/CON/Runs/Run_2026-04-17T14:32 ":"`,
    `illegal_filesystem_character <L>/SEM_04/CON/Runs/Run_2026-04-17T14:32 <L>/SEM_04/CON/Runs/Run_2026-04-17T14:32 ":"`,
    `illegal_filesystem_character <L>/SEM_04/CON/Runs/Run_2026-04-17T14:32 <L>/SEM_04/CON/Runs/Run_2026-04-17T14:32/NUL. "."`,
    // A file in a run's subfolder is attributed to the run (§3.3).
    `illegal_filesystem_character <L>/SEM_04/CON/Runs/Run_2026-04-17T14:32 <L>/SEM_04/CON/Runs/Run_2026-04-17T14:32/sub dir/a:b.txt ":"`,
    `illegal_filesystem_character <L>/SEM_04/CON/Runs/Run_2026-04-17T14:32 <L>/SEM_04/CON/Runs/Run_2026-04-17T14:32/x<2 mM>.txt "<"`,
    `illegal_filesystem_character <L>/SEM_04/CON/Runs/Run_2026-04-17T14:32 <L>/SEM_04/CON/Runs/Run_2026-04-17T14:32/x<2 mM>.txt ">"`,
    `illegal_filesystem_character <L>/SEM_04 <L>/SEM_04/Proj_<name> "<"`,
    `illegal_filesystem_character <L>/SEM_04 <L>/SEM_04/Proj_<name> ">"`,
    `illegal_filesystem_character <L>/SEM_04/Proj_<name> <L>/SEM_04/Proj_<name> "<"`,
    `illegal_filesystem_character <L>/SEM_04/Proj_<name> <L>/SEM_04/Proj_<name> ">"`,
    `reserved_filesystem_name <L>/SEM_04/CON/Runs/Run_2026-04-17T14:32 <L>/SEM_04/CON/Runs/Run_2026-04-17T14:32/NUL. "NUL"`,
    `reserved_filesystem_name <L>/SEM_04/CON/Runs/Run_2026-04-17T14:32 <L>/SEM_04/CON/Runs/Run_2026-04-17T14:32/lpt1.log "LPT1"`,
    `unresolved_placeholder_token <L>/SEM_04 <L>/SEM_04/Proj_<name> "<name>"`,
    `unresolved_placeholder_token <L>/SEM_04/Proj_<name> <L>/SEM_04/Proj_<name> "<name>"`,
    `unsafe_project_name <L>/SEM_04/ Leading space <L>/SEM_04/ Leading space null`,
    `unsafe_project_name <L>/SEM_04/CON <L>/SEM_04/CON "CON"`,
    `unsafe_project_name <L>/SEM_04/Proj_<name> <L>/SEM_04/Proj_<name> "<"`,
    `unsafe_project_name <L>/SEM_04/Proj_<name> <L>/SEM_04/Proj_<name> ">"`,
  ]);
  // The one measured sentence of the rule, byte for byte.
  const con = findings.find((f) => f.finding.rule === "unsafe_project_name" && f.finding.matched_token === "CON");
  assert.equal(withL(root, JSON.stringify(con?.finding)), `{"rule":"unsafe_project_name","tier":"soft","run_path":"<L>/SEM_04/CON","offending_path":"<L>/SEM_04/CON","offending_kind":"directory_segment","matched_token":"CON","rule_detail":"project name 'CON' is a reserved Windows device name","synced_under_prior_policy":false,"override_active":false}`);
});
