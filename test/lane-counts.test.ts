/**
 * How the runtime lanes read a run's totals, on output captured from each
 * runner (Node's TAP, `bun test`, `deno test`): a lane passes only with the
 * host Node's exact passes and skips, so a runtime that loads no test file,
 * or fewer tests, fails even when it exits 0 and reports no failure.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { assertCounts, bunCounts, denoCounts, nodeTapCounts } from "./platform/_lanes.js";

const NODE = "ok 5 - three\n1..5\n# tests 6\n# suites 1\n# pass 4\n# fail 0\n# cancelled 0\n# skipped 1\n# todo 0\n# duration_ms 490.07\n";
const BUN = "bun test v1.4.5 (a7733435c)\n\nb.test.mjs:\n(pass) one [10.37ms]\n(skip) two\n\n 4 pass\n 1 skip\n 0 fail\nRan 5 tests across 2 files. [63.00ms]\n";
const DENO = "two ... \x1b[0m\x1b[33mignored\x1b[0m (0ms)\n\n\x1b[0m\x1b[32mok\x1b[0m | 3 passed (2 steps) | 0 failed | 1 ignored \x1b[0m\x1b[38;5;245m(6ms)\x1b[0m\n";

test("each runner's totals are read from its closing lines, colours and all", () => {
  assert.deepEqual(nodeTapCounts(NODE), { pass: 4, fail: 0, skipped: 1, suites: 1 });
  assert.deepEqual(bunCounts(BUN), { pass: 4, fail: 0, skipped: 1 });
  assert.deepEqual(denoCounts(DENO), { pass: 5, fail: 0, skipped: 1 });
  assert.deepEqual(denoCounts("FAILED | 3 passed | 1 failed (235ms)\n"), { pass: 3, fail: 1, skipped: 0 });
  // Several runs in one output (a lane that retried, nested TAP): the last totals count.
  assert.deepEqual(nodeTapCounts(`# pass 9\n# fail 0\n# skipped 0\n${NODE}`), { pass: 4, fail: 0, skipped: 1, suites: 1 });
});

test("a run that printed no totals, or totals of nothing, fails its lane", () => {
  const host = nodeTapCounts(NODE);
  assert.ok(host);
  assert.equal(nodeTapCounts("TAP version 13\n1..0\n"), undefined);
  assert.equal(bunCounts("error: no tests found\n"), undefined);
  assert.equal(denoCounts("error: Module not found\n"), undefined);
  assert.throws(() => assertCounts(undefined, host, ""), /no test totals/);
  assert.throws(() => assertCounts(bunCounts(" 0 pass\n 0 fail\n"), host, ""), /reported/);
  assert.throws(() => assertCounts(denoCounts("ok | 0 passed | 0 failed (1ms)\n"), host, "", { suitesAsTests: true }), /reported/);
});

test("a lane passes only with the host's passes and skips exactly", () => {
  const host = nodeTapCounts(NODE);
  assert.ok(host);
  assertCounts(nodeTapCounts(NODE), host, NODE);
  assertCounts(bunCounts(BUN), host, BUN);
  // Deno runs the describe as a test with two steps: 3 + 2 = the host's 4 tests and 1 suite.
  assertCounts(denoCounts(DENO), host, DENO, { suitesAsTests: true });
  assert.throws(() => assertCounts(denoCounts(DENO), host, DENO), /reported/);
  assert.throws(() => assertCounts({ pass: 3, fail: 0, skipped: 1 }, host, ""), /reported/);
  assert.throws(() => assertCounts({ pass: 4, fail: 0, skipped: 0 }, host, ""), /reported/);
  assert.throws(() => assertCounts({ pass: 4, fail: 1, skipped: 1 }, host, ""), /reported/);
});
