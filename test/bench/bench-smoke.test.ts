/**
 * The benchmarks must not rot: the write scenarios run once at a tiny size
 * with every contender (floor, ours, the Python application, the
 * synchronous Python recipe, the Node combination) as real processes; see
 * _smoke.ts for what is checked. A missing filelock stops a run up front.
 */
import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { test } from "node:test";
import { runBench } from "../../bench/run.js";
import { SCENARIOS } from "../../bench/scenarios/index.js";
import { rewriteOne } from "../../bench/scenarios/rewrite-one.js";
import { PYTHON, needs } from "../helpers/capabilities.js";
import { tempDir } from "../helpers/tmp.js";
import { SMOKE_FILES, TINY, smokeScenario } from "./_smoke.js";

for (const id of SMOKE_FILES["bench-smoke"]) {
  const scenario = SCENARIOS.find((s) => s.id === id);
  assert.ok(scenario, id);
  smokeScenario(scenario);
}

// The interpreter has a filelock of its own (Debian's); it must not stand in.
test("a filelock directory without the package stops the run before anything is measured", needs(["python3", "python3-filelock"]), async (t) => {
  const dir = await tempDir(t, "exlab-bench-smoke-");
  await assert.rejects(runBench({ scenarios: [rewriteOne], scale: TINY, outDir: dir, workDir: dir, filelockDir: dir, python: PYTHON }), /no filelock package in /);
  assert.deepEqual(await readdir(dir), []);
});
