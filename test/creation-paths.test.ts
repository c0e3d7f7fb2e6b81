/** Where creation.json lives, and that no accepted name leads out of the root. */
import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { projectCreationPath, runCreationPath } from "exlab-cache";

test("project and run paths follow the tree, Run_ under Runs/ and TestRun_ under TestRuns/", () => {
  assert.equal(projectCreationPath("/data/lab", "CONFOCAL_01", "Cortex Q3 Pilot"), "/data/lab/CONFOCAL_01/Cortex Q3 Pilot/.exlab-wizard/creation.json");
  assert.equal(
    runCreationPath("/data/lab", "CONFOCAL_01", "PROJ-0042", "Run_2026-04-17T14-32"),
    "/data/lab/CONFOCAL_01/PROJ-0042/Runs/Run_2026-04-17T14-32/.exlab-wizard/creation.json",
  );
  assert.equal(
    runCreationPath("/data/lab", "CONFOCAL_01", "PROJ-0042", "TestRun_2026-04-17T14-32"),
    "/data/lab/CONFOCAL_01/PROJ-0042/TestRuns/TestRun_2026-04-17T14-32/.exlab-wizard/creation.json",
  );
  // A run made from a template with a leftover placeholder is still a run.
  assert.equal(runCreationPath("/r", "X", "P", "Run_<run_date>"), "/r/X/P/Runs/Run_<run_date>/.exlab-wizard/creation.json");
});

test("bad names are refused with validation_failed naming every bad argument", () => {
  const refused = (fn: () => unknown, fields: string[]) =>
    assert.throws(fn, (err: unknown) => {
      const e = err as { code?: string; issues?: { path: string }[] };
      assert.equal(e.code, "validation_failed");
      assert.deepEqual(e.issues?.map((i) => i.path), fields);
      return true;
    });
  refused(() => projectCreationPath("", "confocal", ".."), ["localRoot", "equipmentId", "project"]);
  refused(() => runCreationPath("/r", "X", "P", "Run_../../etc"), ["runFolder"]);
  for (const bad of ["..", "Run_", "Runs", "run_2026", "Run_a/b", "Run_a\\b", "Run_a\0", "Run_C:x", "Run_x.", "Run_x ", `Run_${"a".repeat(252)}`, "Other_1"]) {
    refused(() => runCreationPath("/r", "X", "P", bad), ["runFolder"]);
  }
  refused(() => runCreationPath("/r", "X", "a/b", 7 as unknown as string), ["project", "runFolder"]);
});

test("no accepted project or run folder name leads out of <localRoot>/<id>/<project>", () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 }), (project, tail) => {
      for (const run of [`Run_${tail}`, `TestRun_${tail}`]) {
        let p: string;
        try {
          p = runCreationPath("/data/lab", "X", project, run);
        } catch {
          continue;
        }
        const rel = path.relative("/data/lab/X", p).split(path.sep);
        assert.equal(rel.length, 5, p);
        assert.equal(rel[0], project);
        assert.ok(!rel.includes(".."), p);
      }
    }),
    { numRuns: 2000 },
  );
});
