/**
 * The bench's own arithmetic and verdicts: a marker round with two winners,
 * or a file from the wrong racer, must be caught; percentiles are nearest
 * rank; ratios of targets point the right way.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { atLeast, atMost } from "../../bench/_model.js";
import { percentile, spread, summarize } from "../../bench/_stats.js";
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
