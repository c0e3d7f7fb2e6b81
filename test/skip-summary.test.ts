/**
 * The suite's reporter: Node's own TAP, then one summary of the tests
 * skipped for what the machine lacks, grouped by capability with the files
 * they are in; or, when EXLAB_SKIP_LOG names a file (npm test's two runs),
 * the skips appended there as JSON lines for one summary at the very end.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { test, type TestContext } from "node:test";
import { REPO_ROOT } from "./helpers/capabilities.js";
import { tempDir } from "./helpers/tmp.js";

const REPORTER = join(REPO_ROOT, "test", "summary-reporter.mjs");
const FIXTURE = `import { test } from "node:test";
test("runs", () => {});
test("needs two", { skip: "needs root: not running as root [run as root]; needs strace: no strace on PATH [strace]" }, () => {});
test("needs one", { skip: "needs root: not running as root [run as root]" }, () => {});
`;

/** Run `node --test` on `source` with the suite's reporter; its exit code and stdout. */
async function runWithReporter(t: TestContext, source: string, skipLog = "", extraEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; file: string }> {
  const file = join(await tempDir(t), "fixture.test.mjs");
  await writeFile(file, source);
  const env: NodeJS.ProcessEnv = { ...process.env, EXLAB_SKIP_LOG: skipLog, ...extraEnv };
  // Set by an outer `node --test`: the inner runner would speak its protocol.
  delete env["NODE_TEST_CONTEXT"];
  const r = spawnSync(process.execPath, ["--test", `--test-reporter=${REPORTER}`, "--test-reporter-destination=stdout", file], { env, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, file };
}

test("after the run's own totals, each lacking capability is listed once, with its count and files", async (t) => {
  const { code, stdout, file } = await runWithReporter(t, FIXTURE);
  assert.equal(code, 0, stdout);
  const name = relative(process.cwd(), file);
  const tail = stdout.slice(stdout.lastIndexOf("# skipped 2\n"));
  assert.match(tail, /^# skipped 2\n# todo 0\n# duration_ms [\d.]+\n# skipped 2 tests for what this machine lacks/);
  assert.deepEqual(
    tail.split("\n").filter((l) => l.startsWith("#   ")),
    [`#   needs root: not running as root [run as root]: 2 tests in ${name} (2)`, `#   needs strace: no strace on PATH [strace]: 1 test in ${name} (1)`],
  );
});

test("with EXLAB_SKIP_LOG the skips go to that file as JSON lines, and nothing is printed after the totals", async (t) => {
  const log = join(await tempDir(t), "skips.jsonl");
  const { code, stdout } = await runWithReporter(t, FIXTURE, log);
  assert.equal(code, 0, stdout);
  assert.match(stdout, /# duration_ms [\d.]+\n$/);
  const lines = (await readFile(log, "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { name: string; reason: string });
  assert.deepEqual(lines.map((l) => l.name), ["needs two", "needs one"]);
  assert.equal(lines[1]?.reason, "needs root: not running as root [run as root]");
});

test("a run that skipped nothing prints no summary", async (t) => {
  const { code, stdout } = await runWithReporter(t, 'import { test } from "node:test";\ntest("runs", () => {});\n');
  assert.equal(code, 0, stdout);
  assert.match(stdout, /# skipped 0\n# todo 0\n# duration_ms [\d.]+\n$/);
});

// With no PATH, no tool can be found: strace is lacking for certain.
const NEEDS_STRACE = `import { test } from "node:test";
import { needs } from ${JSON.stringify(pathToFileURL(join(REPO_ROOT, "dist-test", "test", "helpers", "capabilities.js")).href)};
test("traced", needs(["strace"]), () => {});
`;

test("needs() skips a test whose capability lacks, with the reason; under EXLAB_REQUIRE_ALL=1 that fails the run", async (t) => {
  const skipped = await runWithReporter(t, NEEDS_STRACE, "", { PATH: "", EXLAB_REQUIRE_ALL: "" });
  assert.equal(skipped.code, 0, skipped.stdout);
  assert.match(skipped.stdout, /^ok 1 - traced # SKIP needs strace: no strace on PATH \[strace, allowed to trace\]$/m);
  const required = await runWithReporter(t, NEEDS_STRACE, "", { PATH: "", EXLAB_REQUIRE_ALL: "1" });
  assert.equal(required.code, 1, required.stdout);
  assert.match(required.stdout, /^not ok \d+ - EXLAB_REQUIRE_ALL=1 allows no skip: needs strace: no strace on PATH/m);
  assert.match(required.stdout, /^# fail 1$/m);
});
