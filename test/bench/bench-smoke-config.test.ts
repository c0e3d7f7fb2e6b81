/** The config parse bounds benchmark runs end to end at a tiny size (see _smoke.ts). */
import assert from "node:assert/strict";
import { SCENARIOS } from "../../bench/scenarios/index.js";
import { SMOKE_FILES, smokeScenario } from "./_smoke.js";

for (const id of SMOKE_FILES["bench-smoke-config"]) {
  const scenario = SCENARIOS.find((s) => s.id === id);
  assert.ok(scenario, id);
  smokeScenario(scenario);
}
