/**
 * The pre-sync gate (§9): recorded path segments, direct file names and
 * run_kind; overrides subtract; unreadable records are not gateable.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { gateRun } from "../../src/tree/gate.js";
import { tempDir } from "../helpers/tmp.js";
import { creationRecord, put, record, withL } from "./_trees.js";

const NOW = () => new Date("2026-05-01T12:00:00Z");

test("fixture A: a README token does not block; a test record in Runs/ does, exactly as measured", async (t) => {
  const root = await tempDir(t);
  const P = "CONFOCAL_01/PROJ-0042";
  await record(root, `${P}/Runs/Run_2026-04-17T14-32`);
  await put(root, `${P}/Runs/Run_2026-04-17T14-32/README.md`, "sample: <sample_id>\n");
  const steps: [number, number][] = [];
  const ok = await gateRun(join(root, P, "Runs/Run_2026-04-17T14-32"), { now: NOW, onProgress: (p) => steps.push([p.done, p.total]) });
  assert.equal(ok.status, "eligible");
  // One step per recorded segment, per direct file, and the run-kind check; the last is the total.
  const last = steps.at(-1);
  assert.ok(last !== undefined && last[0] === last[1] && last[1] === root.split("/").filter(Boolean).length + 4 + 1 + 1, JSON.stringify(steps));
  await record(root, `${P}/Runs/Run_2026-04-18T09-00`, { run_kind: "test", sync_status: "synced" });
  const v = await gateRun(join(root, P, "Runs/Run_2026-04-18T09-00"), { now: NOW });
  assert.ok(v.status === "blocked");
  assert.equal(v.sync_status, "synced");
  assert.equal(withL(root, v.run_path), "<L>/CONFOCAL_01/PROJ-0042/Runs/Run_2026-04-18T09-00");
  assert.equal(
    withL(root, JSON.stringify(v.blocking[0])),
    `{"rule":"mode_prefix_mismatch","tier":"hard","run_path":"<L>/CONFOCAL_01/PROJ-0042/Runs/Run_2026-04-18T09-00","offending_path":"Run_2026-04-18T09-00","offending_kind":"directory_segment","matched_token":"Run_2026-04-18T09-00","rule_detail":"creation.json run_kind='test' requires leaf prefix 'TestRun_' but leaf is 'Run_2026-04-18T09-00'.","synced_under_prior_policy":false,"override_active":false}`,
  );
  assert.equal(v.blocking[1]?.matched_token, "Runs");
  assert.equal(v.blocking.length, 2);
});

test("the recorded path is judged, not where the folder is now; direct file names too, subfolders not", async (t) => {
  const root = await tempDir(t);
  const run = "CONFOCAL_01/P/Runs/Run_2026-04-17T14-32";
  await put(root, `${run}/.exlab-wizard/creation.json`, creationRecord(join(root, "CONFOCAL_01/P/Runs/Run_<run_date>")));
  await put(root, `${run}/raw/<deep>.txt`, "x");
  let v = await gateRun(join(root, run), { now: NOW });
  assert.ok(v.status === "blocked");
  assert.deepEqual(v.blocking.map((f) => `${f.rule} ${f.offending_path} ${String(f.matched_token)}`), [
    "illegal_filesystem_character Run_<run_date> <",
    "illegal_filesystem_character Run_<run_date> >",
    "unresolved_placeholder_token Run_<run_date> <run_date>",
  ]);
  await record(root, run);
  await put(root, `${run}/aux.log`, "x");
  v = await gateRun(join(root, run), { now: NOW });
  assert.ok(v.status === "blocked");
  assert.deepEqual(v.blocking.map((f) => `${f.rule} ${f.offending_path} ${String(f.matched_token)}`), ["reserved_filesystem_name aux.log AUX"]);
  // An active override of the class lets it through; an expired one does not.
  await record(root, run, { validation_overrides: [{ id: "a", problem_class: "reserved_filesystem_name", revoked: false, expires_at: "2026-05-01T12:00:01Z" }] });
  assert.equal((await gateRun(join(root, run), { now: NOW })).status, "eligible");
  assert.equal((await gateRun(join(root, run), { now: () => new Date("2026-05-01T12:00:01Z") })).status, "blocked");
});

test("a Windows recorded path: blocked by C:\\ only in app-compatible mode", async (t) => {
  const root = await tempDir(t);
  const run = "NANO_03/PROJ-7/Runs/Run_2026-05-08T10-00";
  await put(root, `${run}/.exlab-wizard/creation.json`, creationRecord("C:\\data\\lab\\NANO_03\\PROJ-7\\Runs\\Run_2026-05-08T10-00"));
  assert.equal((await gateRun(join(root, run), { now: NOW })).status, "eligible");
  const app = await gateRun(join(root, run), { now: NOW, appCompatible: true });
  assert.ok(app.status === "blocked");
  assert.deepEqual(app.blocking.map((f) => `${f.offending_path} ${String(f.matched_token)}`), ["C:\\ :", "C:\\ \\"]);
});

test("records the application's writer refuses make the run not gateable; a missing run_kind defaults", async (t) => {
  const root = await tempDir(t);
  const cases: [string, string | Record<string, unknown>, string][] = [
    ["major 2", creationRecord("/x/Runs/Run_a", { schema_version: "2.0" }), "schema_major_mismatch"],
    ["no version", (() => { const r = creationRecord("/x/Runs/Run_a"); delete r["schema_version"]; return r; })(), "schema_major_mismatch"],
    ["not JSON", "{", "malformed_file"],
    ["bad kind", creationRecord("/x/Runs/Run_a", { run_kind: "Test" }), "validation_failed"],
    ["unhashable id", creationRecord("/x/Runs/Run_a", { validation_overrides: [{ id: {} }] }), "override_unreadable"],
  ];
  for (const [name, content, code] of cases) {
    const run = join(root, name);
    await put(run, ".exlab-wizard/creation.json", typeof content === "string" ? content : JSON.stringify(content));
    const v = await gateRun(run, { now: NOW });
    assert.ok(v.status === "not_gateable", name);
    assert.equal(v.reason.code, code, name);
  }
  const missing = await gateRun(join(root, "nothing"), { now: NOW });
  assert.ok(missing.status === "not_gateable" && missing.reason.code === "record_missing");
  const noKind = creationRecord("/x/Runs/Run_a");
  delete noKind["run_kind"];
  await put(root, "nokind/.exlab-wizard/creation.json", noKind);
  assert.equal((await gateRun(join(root, "nokind"), { now: NOW })).status, "eligible");
});
