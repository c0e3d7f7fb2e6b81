import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { equipmentJsonPath, runsMarkerPath, testRunsMarkerPath } from "exlab-cache";

interface Layout {
  equipment(root: string, id: string): string;
  testRuns(root: string, id: string, project: string): string;
  runs(root: string, id: string, project: string): string;
}
const { layoutFor } = (await import(new URL("../../dist/cache/paths.js", import.meta.url).href)) as { layoutFor: (p: path.PlatformPath) => Layout };

test("the layout joins drive-letter and UNC roots with Windows separators", () => {
  const win = layoutFor(path.win32);
  assert.equal(win.equipment("C:\\data\\lab", "CONFOCAL_01"), "C:\\data\\lab\\CONFOCAL_01\\.exlab-wizard\\equipment.json");
  assert.equal(win.equipment("C:/data/lab/", "CONFOCAL_01"), "C:\\data\\lab\\CONFOCAL_01\\.exlab-wizard\\equipment.json");
  assert.equal(win.equipment("\\\\nas01\\lab", "CONFOCAL_01"), "\\\\nas01\\lab\\CONFOCAL_01\\.exlab-wizard\\equipment.json");
  // The configs spell NAS roots with forward slashes.
  assert.equal(win.testRuns("//nas01/lab", "CONFOCAL_01", "PROJ-0042"), "\\\\nas01\\lab\\CONFOCAL_01\\PROJ-0042\\TestRuns\\.exlab-wizard\\test_runs.json");
  assert.equal(win.runs("C:\\data\\lab", "CONFOCAL_01", "PROJ-0042"), "C:\\data\\lab\\CONFOCAL_01\\PROJ-0042\\Runs\\.exlab-wizard\\runs.json");
});

test("the public helpers are the layout in the host's flavour", () => {
  const host = layoutFor(path);
  assert.equal(equipmentJsonPath("/data/lab", "CONFOCAL_01"), host.equipment("/data/lab", "CONFOCAL_01"));
  assert.equal(testRunsMarkerPath("/data/lab", "CONFOCAL_01", "P1"), host.testRuns("/data/lab", "CONFOCAL_01", "P1"));
  assert.equal(runsMarkerPath("/data/lab", "CONFOCAL_01", "P1"), host.runs("/data/lab", "CONFOCAL_01", "P1"));
});

test("a project name that is a Windows path piece is refused, so it cannot climb out of a UNC root", () => {
  for (const bad of ["..\\x", "a\\b", "C:", "CON"]) {
    assert.throws(() => testRunsMarkerPath("\\\\nas01\\lab", "CONFOCAL_01", bad), { code: "validation_failed" }, bad);
  }
});
