/**
 * The bench's own arithmetic and verdicts: a marker round with two winners,
 * or a file from the wrong racer, must be caught; percentiles are nearest
 * rank; ratios of targets point the right way and each scenario's targets
 * divide the right figures.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { targetVerdict } from "../../bench/_format.js";
import { atLeast, atMost, type Target } from "../../bench/_model.js";
import { percentile, spread, summarize, type Summary } from "../../bench/_stats.js";
import { markerTargets, readTargets, rewriteFourTargets, rewriteOneTargets } from "../../bench/_targets.js";
import { markerRoundProblem, type MarkerAnswer } from "../../bench/scenarios/_marker-check.js";
import { splitCount } from "../../bench/scenarios/_context.js";

const answer = (won: number): MarkerAnswer => ({ won, start: 1, end: 2 });
const markerBy = (racer: number): string =>
  JSON.stringify({
    schema_version: "1.0",
    run_kind: "test",
    created_at: `2026-04-17T14:00:${String(racer).padStart(2, "0")}Z`,
    project: "PROJ-0042",
    equipment: "CONFOCAL_01",
  });

test("a marker round with one winner whose bytes are on disk is sound", () => {
  assert.equal(markerRoundProblem([answer(0), answer(0), answer(1), answer(0)], markerBy(2)), undefined);
});

test("a marker round with two winners, none, a missing, torn or foreign file is flagged", () => {
  assert.match(markerRoundProblem([answer(1), answer(1)], markerBy(0)) ?? "", /2 racers reported/);
  assert.match(markerRoundProblem([answer(0), answer(0)], markerBy(0)) ?? "", /0 racers reported/);
  assert.match(markerRoundProblem([answer(1), answer(0)], undefined) ?? "", /does not exist/);
  assert.match(markerRoundProblem([answer(1), answer(0)], markerBy(0).slice(0, 30)) ?? "", /not whole JSON/);
  assert.match(markerRoundProblem([answer(1), answer(0)], markerBy(1)) ?? "", /another racer than #0/);
});

test("percentiles are nearest-rank and the summary is in milliseconds", () => {
  const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(sorted, 0.5), 50);
  assert.equal(percentile(sorted, 0.99), 99);
  assert.equal(percentile(sorted, 1), 100);
  assert.equal(percentile([7], 0.99), 7);
  const s = summarize([3e6, 1e6, 2e6, 4e6], 2e9);
  assert.deepEqual(s, { ops: 4, meanMs: 2.5, p50Ms: 2, p90Ms: 4, p99Ms: 4, maxMs: 4, opsPerSec: 2 });
  assert.equal(spread([2, 3, 6]), 3);
});

test("target verdicts follow their direction", () => {
  assert.equal(atMost("x", 1.25, 1.25).met, true);
  assert.equal(atMost("x", 1.26, 1.25).met, false);
  assert.equal(atLeast("x", 20, 20).met, true);
  assert.equal(atLeast("x", 19.9, 20).met, false);
  assert.equal(atMost("x", Number.NaN, 1).met, false);
});

test("operations split into near-equal blocks that add up", () => {
  assert.deepEqual(splitCount(10, 4), [3, 3, 2, 2]);
  assert.deepEqual(splitCount(2, 4), [1, 1]);
  assert.deepEqual(splitCount(2000, 4), [500, 500, 500, 500]);
});

test("a missed target says by how much, in the direction of its bound", () => {
  assert.equal(targetVerdict(atMost("x", 1.5, 1.5)), "met");
  assert.equal(targetVerdict(atMost("x", 3, 1.5)), "**missed** by 2.00×");
  assert.equal(targetVerdict(atLeast("x", 0.5, 1.5)), "**missed** by 3.00×");
  assert.equal(targetVerdict(atMost("x", 60, 50, "ms")), "**missed** by 1.20×");
  assert.equal(targetVerdict(atMost("x", Number.NaN, 1)), "**missed** (not measured)");
});

const summary = (meanMs: number, p99Ms: number): Summary => ({ ops: 1, meanMs, p50Ms: meanMs, p90Ms: p99Ms, p99Ms, maxMs: p99Ms, opsPerSec: 1 });
const byLabel = (targets: Target[]): Map<string, Target> => new Map(targets.map((t) => [t.label, t]));

test("uncontended rewrite targets: mean ≤ 1.5 × the floor, mean and p99 ≤ 0.8 × the Python application", () => {
  const t = byLabel(rewriteOneTargets(summary(3, 9), summary(2, 4), summary(4, 10)));
  assert.deepEqual(
    [...t.values()].map((x) => [x.measured, x.limit, x.met]),
    [
      [1.5, 1.5, true],
      [0.75, 0.8, true],
      [0.9, 0.8, false],
    ],
  );
  assert.ok(t.has("ours mean ≤ 1.5 × floor mean"));
  assert.ok(t.has("ours p99 ≤ 0.8 × Python application p99 (uncontended)"));
});

test("4-process targets: p99 ≤ 3 × the floor's, fairness ≤ 1.5×, ≤ 0.8 × the Python application", () => {
  const targets = rewriteFourTargets(summary(5, 30), summary(2, 8), summary(10, 20), 1.6);
  assert.deepEqual(
    targets.map((x) => [x.measured, x.limit, x.kind, x.met]),
    [
      [3.75, 3, "max", false],
      [1.6, 1.5, "max", false],
      [0.5, 0.8, "max", true],
      [1.5, 0.8, "max", false],
    ],
  );
  assert.match(targets[1]?.label ?? "", /fairness/);
  assert.match(targets[3]?.label ?? "", /p99 .*Python application.*4 processes/);
});

test("marker race target: settled p99 ≤ 3 × the floor's settled p99", () => {
  const [met] = markerTargets(30, 10);
  assert.equal(met?.measured, 3);
  assert.equal(met?.met, true);
  assert.equal(markerTargets(31, 10)[0]?.met, false);
  assert.equal(markerTargets(Number.NaN, 10)[0]?.met, false);
});

test("read targets: at least the earlier ratios to the floor, and 1.5 × the Python application", () => {
  const targets = readTargets({ floor: 100, oursOne: 31, oursInFlight: 69, appOne: 20, appInFlight: 46 }, 16);
  assert.deepEqual(
    targets.map((x) => [x.measured, x.limit, x.kind, x.met]),
    [
      [0.31, 0.31, "min", true],
      [0.69, 0.7, "min", false],
      [1.55, 1.5, "min", true],
      [1.5, 1.5, "min", true],
    ],
  );
  assert.match(targets[1]?.label ?? "", /16 in flight/);
});
