/**
 * The differential fuzzer inside the suite: 5,000 seeded documents from the
 * YAML grammar of test/fuzz/yaml-grammar.ts, each loaded by real PyYAML
 * (one long-lived process) and by this project's loader, must agree: both
 * refuse, or both build deeply equal values with their Python types. The
 * documented differences (docs/config-yaml.md) are counted apart. A
 * disagreement is shrunk and printed as a case for
 * test/fixtures/pyyaml/cases.json. `npm run fuzz:yaml` runs 200,000.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { needs } from "../helpers/capabilities.js";
import { fuzzYaml } from "../fuzz/yaml-differential.js";

test("config.yaml: 5,000 generated documents load as PyYAML's safe_load loads them, or are refused by both", needs(["pyyaml"]), async () => {
  const report = await fuzzYaml({ seed: 23, count: 5000, shrink: 2 });
  assert.equal(report.count, 5000);
  // The grammar must reach both sides of the comparison, not only refusals.
  assert.ok(report.refusedByBoth < report.count * 0.8, `${report.refusedByBoth} of ${report.count} refused by both`);
  assert.ok(report.refusedByBoth > report.count * 0.05, `${report.refusedByBoth} of ${report.count} refused by both`);
  const shown = report.disagreements.map((d) => `seed ${d.seed} run ${d.run}: ${d.why}${d.shrunk === undefined ? "" : `\n  smallest: ${JSON.stringify(d.shrunk.bytes.toString("utf8"))} (${d.shrunk.why})`}`);
  assert.deepEqual(shown, []);
});
