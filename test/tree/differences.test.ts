/**
 * Where the audit deliberately differs from the application, and the
 * app-compatible switch that undoes the differences that are only odd:
 * the staging root's layout, run paths under a symlinked root, unlisted
 * folders, the depth bound; and the walk's own contract (abort, progress).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmod, mkdir, realpath, symlink } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { auditTree } from "../../src/tree/audit.js";
import { needs } from "../helpers/capabilities.js";
import { BIN } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";
import { config, put, record, withL } from "./_trees.js";

const NOW = () => new Date("2026-05-01T12:00:00Z");

test("the staging root is walked with its real layout; app-compatible walks it as one equipment folder", async (t) => {
  const lab = await tempDir(t);
  const staging = await tempDir(t);
  const run = "FLOW_02/PROJ-9/Runs/Run_2026-05-01T10-00";
  await record(staging, "FLOW_02/PROJ-9", { level: "project" });
  await record(staging, run, { run_kind: "test" });
  await put(staging, `${run}/<x>.txt`, "x");
  const cfg = config(lab, [], { stagingRoot: staging });
  const ours = await auditTree({ config: cfg, now: NOW });
  assert.deepEqual(
    ours.findings.map((f) => `${f.finding.rule} ${withL(staging, f.finding.run_path)} ${String(f.finding.matched_token)}`),
    [
      `illegal_filesystem_character <L>/${run} <`,
      `illegal_filesystem_character <L>/${run} >`,
      `mode_prefix_mismatch <L>/${run} Run_2026-05-01T10-00`,
      `mode_prefix_mismatch <L>/${run} Runs`,
      `unresolved_placeholder_token <L>/${run} <x>`,
    ],
  );
  // As measured (§10): the equipment folder is an orphan project; runs get no record rules; run_path is the staging equipment folder.
  const app = await auditTree({ config: cfg, now: NOW, appCompatible: true });
  assert.deepEqual(
    app.findings.map((f) => `${f.finding.rule} ${withL(staging, f.finding.run_path)} ${String(f.finding.matched_token)}`),
    [
      "illegal_filesystem_character <L>/FLOW_02 <",
      "illegal_filesystem_character <L>/FLOW_02 >",
      "unresolved_placeholder_token <L>/FLOW_02 <x>",
      "orphan <L>/FLOW_02 null",
    ],
  );
});

test("under a symlinked root, app-compatible gives other levels the resolved run_path (§3.3)", async (t) => {
  const real = await tempDir(t);
  const lab = await tempDir(t);
  await record(real, "P", { level: "project" });
  await record(real, "P/Runs/Run_2026-05-01T10-00");
  await put(real, "P/Runs/Run_2026-05-01T10-00/raw/<z>.txt", "x");
  await symlink(real, join(lab, "CONFOCAL_01"));
  const pick = async (appCompatible: boolean): Promise<string[]> =>
    (await auditTree({ config: config(lab, ["CONFOCAL_01"]), now: NOW, appCompatible })).findings.filter((f) => f.finding.rule === "unresolved_placeholder_token").map((f) => f.finding.run_path);
  assert.deepEqual(await pick(false), [join(lab, "CONFOCAL_01/P/Runs/Run_2026-05-01T10-00")]);
  assert.deepEqual(await pick(true), [join(await realpath(real), "P/Runs/Run_2026-05-01T10-00")]);
});

test("depth is bounded with a finding at the bound, and nothing below it is read", async (t) => {
  const lab = await tempDir(t);
  let deep = "CONFOCAL_01/P";
  for (let i = 0; i < 8; i++) deep += `/d${i}`;
  await put(lab, `${deep}/<below>.txt`, "x");
  await record(lab, "CONFOCAL_01/P", { level: "project" });
  const { findings } = await auditTree({ config: config(lab, ["CONFOCAL_01"]), now: NOW, maxDepth: 5 });
  assert.deepEqual(findings.map((f) => `${f.finding.rule} ${withL(lab, f.finding.offending_path)}`), ["depth_limit <L>/CONFOCAL_01/P/d0/d1/d2/d3/d4"]);
  const full = await auditTree({ config: config(lab, ["CONFOCAL_01"]), now: NOW });
  assert.equal(full.findings.filter((f) => f.finding.rule === "unresolved_placeholder_token").length, 1);
});

const NOBODY = ["--reuid=nobody", "--regid=nogroup", "--clear-groups"];

/** The other account must be able to run the tool from where this checkout is (never a silent skip). */
function nobodyCanRun(): void {
  const probe = spawnSync("setpriv", [...NOBODY, process.execPath, "-e", `require("fs").accessSync(${JSON.stringify(BIN)})`]);
  assert.equal(probe.status, 0, `the account nobody cannot run ${BIN}: put the checkout where other accounts may read it`);
}

test("a folder that cannot be listed is a finding, not a silence", needs(["root"]), async (t) => {
  nobodyCanRun();
  const lab = await tempDir(t);
  await chmod(lab, 0o755);
  await record(lab, "CONFOCAL_01/P", { level: "project" });
  await mkdir(join(lab, "CONFOCAL_01/P/locked"), { recursive: true });
  await put(lab, "CONFOCAL_01/P/locked/<x>.txt", "x");
  await chmod(join(lab, "CONFOCAL_01/P/locked"), 0o000);
  const cfg = await put(lab, "config.yaml", `paths:\n  local_root: "${lab}"\nequipment:\n  - id: CONFOCAL_01\n`);
  const r = spawnSync("setpriv", [...NOBODY, process.execPath, BIN, "problems", "--config", cfg, "--json"], { encoding: "utf8" });
  assert.equal(r.status, 1, r.stderr);
  const doc = JSON.parse(r.stdout) as { findings: { rule: string; offending_path: string; matched_token: unknown }[] };
  assert.deepEqual(doc.findings.map((f) => `${f.rule} ${withL(lab, f.offending_path)} ${String(f.matched_token)}`), ["unlisted_folder <L>/CONFOCAL_01/P/locked EACCES"]);
});

test("the gate never passes a run whose folder it cannot list: not_gateable (run_unlisted), exit 1", needs(["root"]), async (t) => {
  nobodyCanRun();
  const lab = await tempDir(t);
  await chmod(lab, 0o755);
  const run = "CONFOCAL_01/P/Runs/Run_2026-04-17T14-32";
  await record(lab, run);
  await put(lab, `${run}/<unresolved>.txt`, "x");
  for (const d of ["CONFOCAL_01", "CONFOCAL_01/P", "CONFOCAL_01/P/Runs"]) await chmod(join(lab, d), 0o755);
  await chmod(join(lab, run, ".exlab-wizard"), 0o755);
  await chmod(join(lab, run, ".exlab-wizard", "creation.json"), 0o644);
  // Searchable, so creation.json can be read by its path, but not listable.
  await chmod(join(lab, run), 0o311);
  const r = spawnSync("setpriv", [...NOBODY, process.execPath, BIN, "gate", join(lab, run), "--json"], { encoding: "utf8" });
  assert.equal(r.status, 1, r.stderr);
  const doc = JSON.parse(r.stdout) as { status: string; reason?: { code: string; path: string } };
  assert.deepEqual([doc.status, doc.reason?.code, doc.reason?.path], ["not_gateable", "run_unlisted", join(lab, run)]);
  // Readable again, the same run is blocked by its file name.
  await chmod(join(lab, run), 0o755);
  const again = spawnSync("setpriv", [...NOBODY, process.execPath, BIN, "gate", join(lab, run), "--json"], { encoding: "utf8" });
  assert.equal((JSON.parse(again.stdout) as { status: string }).status, "blocked");
});

test("progress reports a total; an aborted audit rejects with the signal's reason", async (t) => {
  const lab = await tempDir(t);
  for (let p = 0; p < 3; p++) await record(lab, `CONFOCAL_01/P${p}`, { level: "project" });
  const seen: { projects: number; projectsTotal: number }[] = [];
  await auditTree({ config: config(lab, ["CONFOCAL_01"]), now: NOW, onProgress: (p) => seen.push(p) });
  assert.deepEqual(seen.at(-1) && { projects: seen.at(-1)?.projects, projectsTotal: seen.at(-1)?.projectsTotal }, { projects: 3, projectsTotal: 3 });
  const stop = new AbortController();
  stop.abort(new Error("enough"));
  await assert.rejects(auditTree({ config: config(lab, ["CONFOCAL_01"]), signal: stop.signal }), /enough/);
});
