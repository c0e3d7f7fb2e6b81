/**
 * The bench's command line: scenario selection by id or title, a run of one
 * scenario through `npm run bench`'s script, usage errors; and the smoke
 * files between them run every scenario.
 */
import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { UsageError, parseBenchArgs } from "../../bench/_args.js";
import { SCENARIOS } from "../../bench/scenarios/index.js";
import { runNode } from "../helpers/children.js";
import { PYTHON, needs } from "../helpers/capabilities.js";
import { tempDir } from "../helpers/tmp.js";
import { BENCH_FILELOCK, BENCH_NEEDS, EXPECTED, SMOKE_FILES, TINY } from "./_smoke.js";

test("the smoke files between them run every scenario, each once", () => {
  const ids = SCENARIOS.map((s) => s.id).sort();
  assert.deepEqual([...Object.values(SMOKE_FILES).flat()].sort(), ids);
  assert.deepEqual(Object.keys(EXPECTED).sort(), ids);
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

test("npm run bench -- --scenario runs that scenario alone and prints its table", needs(BENCH_NEEDS), async (t) => {
  const dir = await tempDir(t, "exlab-bench-cli-");
  const args = ["--scenario", "equipment rewrite, 1 writer", "--scale", String(TINY), "--out", dir, "--dir", dir, "--python", PYTHON, "--filelock", BENCH_FILELOCK.dir];
  const res = await runNode(t, MAIN, args);
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
