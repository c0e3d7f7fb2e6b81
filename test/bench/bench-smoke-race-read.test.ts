/**
 * The benchmarks must not rot: the marker race, the read scenario and the
 * CLI startup run once at a tiny size with every contender as real processes; see
 * _smoke.ts for what is checked.
 */
import assert from "node:assert/strict";
import { SCENARIOS } from "../../bench/scenarios/index.js";
import { SMOKE_FILES, smokeScenario } from "./_smoke.js";

for (const id of SMOKE_FILES["bench-smoke-race-read"]) {
  const scenario = SCENARIOS.find((s) => s.id === id);
  assert.ok(scenario, id);
  smokeScenario(scenario);
}
