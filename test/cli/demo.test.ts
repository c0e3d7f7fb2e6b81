import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { PACKAGE_ROOT, runNodeIn } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";

test("the demo syncs the bundled config into ./lab, marks a test run, lists and checks; a second run finds it all in place", async (t) => {
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
  const path = join(cwd, "lab", "CONFOCAL_01", ".exlab-wizard", "equipment.json");
  const record = await readFile(path, "utf8");
  // --root relocates the files only: the record mirrors the config.
  assert.equal((JSON.parse(record) as Record<string, string>)["configured_local_root"], "/data/lab");

  const second = await runNodeIn(t, demo, [], { cwd });
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /^3 equipment entries: 3 unchanged$/m);
  assert.ok(second.stdout.split("\n").includes(`already present  ${marker}`), second.stdout);
  assert.match(second.stdout, /^ok: 3 equipment folders, 1 project, no problems$/m);
  assert.equal(await readFile(path, "utf8"), record);
});
