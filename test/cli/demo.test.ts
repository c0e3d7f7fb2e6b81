import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { PACKAGE_ROOT, runNodeIn } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";

test("the demo syncs the bundled config into ./lab, marks a test run, records a run, lists, checks, gates and shows its timeline; a second run finds it all in place", async (t) => {
  const cwd = await tempDir(t);
  const demo = join(PACKAGE_ROOT, "examples", "demo.mjs");
  const first = await runNodeIn(t, demo, [], { cwd });
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stderr, "");
  assert.match(first.stdout, /^\$ exlab-cache sync --config examples\/config\.yaml --root \.\/lab --create-root$/m);
  for (const id of ["CONFOCAL_01", "FLOW_CYTO_02", "LIGHTSHEET_01"]) assert.match(first.stdout, new RegExp(`^created {2}${id} `, "m"));
  const marker = join(cwd, "lab", "CONFOCAL_01", "PROJ-0042", "TestRuns", ".exlab-wizard", "test_runs.json");
  assert.ok(first.stdout.split("\n").includes(`created  ${marker}`), first.stdout);
  assert.match(first.stdout, /^CONFOCAL_01 +Confocal Microscope 1 +\S+ +\S+ +1 +1 +0$/m);
  assert.match(first.stdout, /^ok: 3 equipment folders, 1 project, no problems$/m);
  // The run level: a creation.json made through the library, an override and a log line,
  // then the tree tools over it.
  const run = join(cwd, "lab", "CONFOCAL_01", "PROJ-0042", "TestRuns", "TestRun_2026-04-17T14-32");
  const creation = join(run, ".exlab-wizard", "creation.json");
  assert.ok(first.stdout.split("\n").includes(`created  ${creation}`), first.stdout);
  assert.match(first.stdout, /^\$ exlab-cache runs \.\/lab$/m);
  assert.match(first.stdout, /^CONFOCAL_01\/PROJ-0042\/TestRuns\/TestRun_2026-04-17T14-32 +test +blocked_by_validation/m);
  assert.ok(first.stdout.split("\n").includes(`${run}: eligible`), first.stdout);
  assert.match(first.stdout, /^ {2}\S+ +override +override of leftover_jinja_marker by asmith/m);
  assert.match(first.stdout, /^ {2}\S+ +log +.*demo run recorded/m);
  const recorded = JSON.parse(await readFile(creation, "utf8")) as { run_kind: string; sync_status: string; validation_overrides: unknown[] };
  assert.deepEqual([recorded.run_kind, recorded.sync_status, recorded.validation_overrides.length], ["test", "blocked_by_validation", 1]);
  const path = join(cwd, "lab", "CONFOCAL_01", ".exlab-wizard", "equipment.json");
  const record = await readFile(path, "utf8");
  // --root relocates the files only: the record mirrors the config.
  assert.equal((JSON.parse(record) as Record<string, string>)["configured_local_root"], "/data/lab");

  const second = await runNodeIn(t, demo, [], { cwd });
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /^3 equipment entries: 3 unchanged$/m);
  assert.ok(second.stdout.split("\n").includes(`already present  ${marker}`), second.stdout);
  assert.ok(second.stdout.split("\n").includes(`already present  ${creation}`), second.stdout);
  // Recorded once: the second run adds no override.
  assert.equal((JSON.parse(await readFile(creation, "utf8")) as { validation_overrides: unknown[] }).validation_overrides.length, 1);
  assert.match(second.stdout, /^ok: 3 equipment folders, 1 project, no problems$/m);
  assert.equal(await readFile(path, "utf8"), record);
});
