/**
 * The bench smoke run shared by the smoke test files: one scenario, end to
 * end, at a tiny size, with every contender as a real process on real
 * files. Nothing here looks at how fast anything was; only that the
 * scenario measured what it claims (the right number of operations per
 * contender, sane percentiles, consistent target verdicts) and that its
 * correctness checks passed. The scenarios are spread over two files so
 * that neither runs into the per-file time limit on a busy machine.
 */
import assert from "node:assert/strict";
import { readFile, readdir } from "node:fs/promises";
import { test } from "node:test";
import type { ScenarioResult } from "../../bench/_model.js";
import { runBench } from "../../bench/run.js";
import type { Scenario } from "../../bench/scenarios/index.js";
import { PYTHON, REQUIRE_ALL, lacking, needs, realFilelockDir, type Capability } from "../helpers/capabilities.js";
import { standinDir } from "../helpers/filelock.js";
import { tempDir } from "../helpers/tmp.js";
import { BOUNDS_FIXTURES } from "../fixtures/config-bounds/index.js";

/** The scale of every smoke run. */
export const TINY = 0.001;

/** Which smoke file runs which scenario ids (together: every scenario). */
export const SMOKE_FILES = {
  "bench-smoke": ["rewrite-1", "rewrite-4", "many"],
  "bench-smoke-race-read": ["marker", "read", "creation", "startup", "ingest-advance"],
  "bench-smoke-log": ["log-append", "log-read"],
  "bench-smoke-audit": ["audit"],
  "bench-smoke-config": ["config-bounds"],
} as const;

/**
 * The filelock the Python contenders import: the real 3.29.0 the
 * application pins where the machine has it (CI must), else our stand-in of
 * its protocol, which is enough to prove the scenarios run end to end.
 */
export const BENCH_FILELOCK =
  lacking("filelock-3.29.0") === undefined || REQUIRE_ALL
    ? { dir: realFilelockDir("3.29.0"), version: "3.29.0" }
    : { dir: standinDir("3.29"), version: "3.29+standin" };

/** What a bench run needs: Python, a C compiler for the floor, and that filelock. */
export const BENCH_NEEDS: readonly Capability[] = ["python3", "cc", ...(BENCH_FILELOCK.version === "3.29.0" ? (["filelock-3.29.0"] as const) : [])];

/** Rows each scenario must report at TINY, and the operations in each. */
export const EXPECTED: Record<string, { rows: string[]; ops: number }> = {
  "rewrite-1": { rows: ["floor", "ours", "ours-fresh", "app", "python", "combo"], ops: 4 },
  "rewrite-4": { rows: ["floor", "ours", "app", "python", "combo"], ops: 4 * 2 },
  marker: { rows: ["floor", "ours", "app", "python", "combo"], ops: 16 * 2 },
  read: { rows: ["floor", "ours-1", "ours-16", "python-1", "python-16"], ops: 100 },
  many: { rows: ["floor-1", "floor-4", "ours", "combo"], ops: 8 },
  creation: { rows: ["floor", "ours", "ours-fresh", "app", "python"], ops: 4 },
  "ingest-advance": { rows: ["floor", "ours", "app", "python"], ops: 8 },
  "log-append": { rows: ["floor", "ours", "app"], ops: 4 * 5 },
  "log-read": { rows: ["cat", "ours", "cat-4", "ours-4"], ops: 4 },
  startup: { rows: ["bare", "version", "sync"], ops: 5 },
  audit: { rows: ["floor", "ours", "ours-quarter"], ops: 3 },
  "config-bounds": { rows: BOUNDS_FIXTURES.map((f) => f.name), ops: 2 },
};

function assertSane(result: ScenarioResult): void {
  const expected = EXPECTED[result.id];
  assert.ok(expected, `no expectation for ${result.id}`);
  assert.deepEqual(
    result.rows.map((r) => r.key),
    expected.rows,
  );
  for (const row of result.rows) {
    const s = row.summary;
    assert.equal(s.ops, expected.ops, `${result.id}/${row.key} ops`);
    assert.ok(s.p50Ms > 0 && s.p50Ms <= s.p90Ms && s.p90Ms <= s.p99Ms && s.p99Ms <= s.maxMs, `${result.id}/${row.key} percentiles ${JSON.stringify(s)}`);
    assert.ok(Number.isFinite(s.opsPerSec) && s.opsPerSec > 0, `${result.id}/${row.key} ops/s`);
  }
  assert.ok(result.rows.some((r) => r.ours));
  for (const t of result.targets) {
    assert.ok(Number.isFinite(t.measured), `${t.label} measured`);
    assert.equal(t.met, t.kind === "max" ? t.measured <= t.limit : t.measured >= t.limit, t.label);
  }
  for (const c of result.checks) assert.ok(c.ok, `${c.label}: ${c.detail}`);
}

/** Register the smoke test of `scenario`. */
export function smokeScenario(scenario: Scenario): void {
  test(`bench scenario "${scenario.title}" runs end to end at a tiny size`, needs(BENCH_NEEDS), async (t) => {
    const dir = await tempDir(t, "exlab-bench-smoke-");
    const report = await runBench({ scenarios: [scenario], scale: TINY, outDir: dir, workDir: dir, python: PYTHON, filelockDir: BENCH_FILELOCK.dir });
    assert.equal(report.results.length, 1);
    const [result] = report.results;
    assert.ok(result);
    assert.equal(result.id, scenario.id);
    assertSane(result);
    assert.ok(report.checksPassed);

    assert.ok(report.markdown.includes(`\n## ${result.title} (\`${result.id}\`)\n`), "section heading");
    for (const row of result.rows) assert.ok(report.markdown.includes(row.name), `table lists ${row.name}`);
    assert.match(report.markdown, /\| verdict \|/);
    assert.match(report.markdown, /^\| contender \| ops \| mean ms \| p50 ms \|/m);
    // The Python contenders import the filelock they were given, not the
    // interpreter's own copy.
    assert.ok(report.markdown.includes(`, filelock ${BENCH_FILELOCK.version} · `), "the report names the filelock used");
    assert.match(report.markdown, / · Python [\d.]+, filelock /);

    // The raw numbers are on disk, one latency per operation, and the
    // scratch directory (files written, the compiled floor) is gone.
    assert.deepEqual(await readdir(dir), [report.jsonPath.slice(dir.length + 1)]);
    const saved = JSON.parse(await readFile(report.jsonPath, "utf8")) as { results: ScenarioResult[] };
    const savedRows = saved.results[0]?.rows ?? [];
    assert.equal(savedRows.length, result.rows.length);
    for (const row of savedRows) {
      const lat = Array.isArray(row.raw["lat"])
        ? (row.raw["lat"] as number[])
        : (row.raw["processes"] as { lat: number[] }[]).flatMap((p) => p.lat);
      assert.equal(lat.length, row.summary.ops, `${row.key} raw latencies`);
      assert.ok(lat.every((ns) => Number.isFinite(ns) && ns > 0));
    }
  });
}
