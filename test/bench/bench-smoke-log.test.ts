/**
 * The log benchmarks must not rot: appends from 4 processes (the C
 * O_APPEND loop, appendLogLine, the application's `open(path, "a")`) and
 * readLog against `cat`, once each at a tiny size; see _smoke.ts for what
 * is checked.
 */
import assert from "node:assert/strict";
import { SCENARIOS } from "../../bench/scenarios/index.js";
import { SMOKE_FILES, smokeScenario } from "./_smoke.js";

for (const id of SMOKE_FILES["bench-smoke-log"]) {
  const scenario = SCENARIOS.find((s) => s.id === id);
  assert.ok(scenario, id);
  smokeScenario(scenario);
}
