/**
 * The benchmarks must not rot: every scenario runs once, end to end, at a
 * tiny size, with every contender as a real process on real files. Nothing
 * here looks at how fast anything was; only that each scenario measured what
 * it claims (the right number of operations per contender, sane
 * percentiles, consistent target verdicts) and that its correctness checks
 * passed.
 */
import assert from "node:assert/strict";
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import type { ScenarioResult } from "../../bench/_model.js";
import { runBench } from "../../bench/run.js";
import { UsageError, parseBenchArgs } from "../../bench/_args.js";
import { SCENARIOS } from "../../bench/scenarios/index.js";
import { rewriteOne } from "../../bench/scenarios/rewrite-one.js";
import { runNode } from "../helpers/children.js";
import { tempDir } from "../helpers/tmp.js";

const TINY = 0.001;

/** Rows each scenario must report at TINY, and the operations in each. */
const EXPECTED: Record<string, { rows: string[]; ops: number }> = {
  "rewrite-1": { rows: ["floor", "ours", "app", "python", "combo"], ops: 4 },
  "rewrite-4": { rows: ["floor", "ours", "app", "python", "combo"], ops: 4 * 2 },
  marker: { rows: ["floor", "ours", "app", "python", "combo"], ops: 16 * 2 },
  read: { rows: ["floor", "ours-1", "ours-16", "python-1", "python-16"], ops: 100 },
  many: { rows: ["floor-1", "floor-4", "ours", "combo"], ops: 8 },
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

for (const scenario of SCENARIOS) {
  test(`bench scenario "${scenario.title}" runs end to end at a tiny size`, async (t) => {
    const dir = await tempDir(t, "exlab-bench-smoke-");
    const report = await runBench({ scenarios: [scenario], scale: TINY, outDir: dir, workDir: dir });
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
    // The Python contenders import the filelock the application pins, not
    // the interpreter's own copy.
    assert.match(report.markdown, / · Python [\d.]+, filelock 3\.29\.0 · /);

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

test("a filelock directory without the package stops the run before anything is measured", async (t) => {
  const dir = await tempDir(t, "exlab-bench-smoke-");
  // /usr/bin/python3 has a filelock of its own; it must not stand in.
  await assert.rejects(runBench({ scenarios: [rewriteOne], scale: TINY, outDir: dir, workDir: dir, filelockDir: dir }), /no filelock package in /);
  assert.deepEqual(await readdir(dir), []);
});

test("--scenario takes ids, titles (commas and all) and comma-separated ids", () => {
  const ids = (argv: string[]): string[] => parseBenchArgs(argv).scenarios.map((s) => s.id);
  assert.deepEqual(ids([]), []);
  assert.deepEqual(ids(["--scenario", "Marker Race"]), ["marker"]);
  assert.deepEqual(ids(["--scenario", "equipment rewrite, 4 processes"]), ["rewrite-4"]);
  assert.deepEqual(ids(["--scenario", "read,many", "--scenario", "read"]), ["read", "many"]);
  assert.throws(() => parseBenchArgs(["--scenario", "nope"]), UsageError);
  assert.equal(parseBenchArgs(["--scale", "0.5"]).scale, 0.5);
  assert.equal(parseBenchArgs(["--filelock", "/opt/fl"]).filelock, "/opt/fl");
  assert.throws(() => parseBenchArgs(["--scale", "-1"]), UsageError);
});

const MAIN = fileURLToPath(new URL("../../bench/main.js", import.meta.url));

test("npm run bench -- --scenario runs that scenario alone and prints its table", async (t) => {
  const dir = await tempDir(t, "exlab-bench-cli-");
  const res = await runNode(t, MAIN, ["--scenario", "equipment rewrite, 1 writer", "--scale", String(TINY), "--out", dir, "--dir", dir]);
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout, /^# exlab-cache benchmarks\n/);
  assert.deepEqual(
    [...res.stdout.matchAll(/^## (.*)$/gm)].map((m) => m[1]),
    ["equipment rewrite, 1 writer (`rewrite-1`)", "Targets"],
  );
  const files = await readdir(dir);
  assert.equal(files.length, 1);
  assert.match(files[0] ?? "", /^bench-.*\.json$/);
  assert.match(res.stderr, new RegExp(`raw numbers in ${join(dir, files[0] ?? "")}`));
});

test("bad bench arguments get a usage message and status 2, no stack trace", async (t) => {
  const dir = await tempDir(t, "exlab-bench-cli-");
  for (const args of [["--scenario", "nope"], ["--scale", "0"], ["--frobnicate"]]) {
    const res = await runNode(t, MAIN, [...args, "--out", dir, "--dir", dir]);
    assert.equal(res.code, 2, `${args.join(" ")}: ${res.stderr}`);
    assert.match(res.stderr, /^bench: .+\n\nUsage: npm run bench/);
    assert.doesNotMatch(res.stderr, /^\s+at /m);
    assert.equal(res.stdout, "");
  }
  assert.deepEqual(await readdir(dir), []);
});
