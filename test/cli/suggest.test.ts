import assert from "node:assert/strict";
import { test } from "node:test";
import { cli, stdoutJson } from "../helpers/cli.js";
import { COMMANDS } from "../../src/cli/commands.js";

/** The command list the messages give: every command of the table, in its order. */
const ALL = COMMANDS.map((c) => c.name).join(", ");

const cases: { argv: string[]; line: string; command?: string }[] = [
  { argv: ["synk"], line: `Unknown command \`synk\` (commands: ${ALL}); did you mean \`sync\`?` },
  { argv: ["chekc", "/data/lab"], line: `Unknown command \`chekc\` (commands: ${ALL}); did you mean \`check\`?` },
  { argv: ["mark-test-run"], line: `Unknown command \`mark-test-run\` (commands: ${ALL}); did you mean \`mark-test-runs\`?` },
  { argv: ["docter"], line: `Unknown command \`docter\` (commands: ${ALL}); did you mean \`doctor\`?` },
  { argv: ["help", "lss"], line: `Expected \`help <command>\` with one of ${ALL}, got \`lss\`; did you mean \`ls\`?` },
  { argv: ["sync", "--confg", "c.yaml"], line: "Unknown option `--confg`; did you mean `--config`?", command: "sync" },
  { argv: ["sync", "--config", "c.yaml", "--dryrun"], line: "Unknown option `--dryrun`; did you mean `--dry-run`?", command: "sync" },
  { argv: ["ls", "/data/lab", "--wdie"], line: "Unknown option `--wdie`; did you mean `--wide`?", command: "ls" },
  { argv: ["mark-runs", "--roots=/data/lab"], line: "Unknown option `--roots`; did you mean `--root`?", command: "mark-runs" },
  { argv: ["check", "/data/lab", "--jsn"], line: "Unknown option `--jsn`; did you mean `--json`?", command: "check" },
];

for (const c of cases) {
  test(`did you mean: exlab-cache ${c.argv.join(" ")}`, async (t) => {
    const run = await cli(t, c.argv);
    assert.deepEqual([run.code, run.stdout], [2, ""]);
    assert.equal(run.stderr, `error: ${c.line} [usage_error]\nRun \`exlab-cache ${c.command === undefined ? "" : `${c.command} `}--help\` for usage.\n`);
  });
}

test("nothing near enough: no suggestion, for commands and flags alike", async (t) => {
  const cmd = await cli(t, ["xyzzy"]);
  assert.equal(cmd.code, 2);
  assert.doesNotMatch(cmd.stderr, /did you mean/);
  const flag = await cli(t, ["sync", "--config", "c.yaml", "--frobnicate"]);
  assert.equal(flag.stderr, "error: Unknown option `--frobnicate` [usage_error]\nRun `exlab-cache sync --help` for usage.\n");
});

test("a mistyped flag with --json is the usage_error envelope with the suggestion", async (t) => {
  const run = await cli(t, ["sync", "--confg", "c.yaml", "--json"]);
  assert.equal(run.code, 2);
  assert.deepEqual(stdoutJson(run), {
    error: { code: "usage_error", message: "Unknown option `--confg`; did you mean `--config`?", details: { command: "sync" } },
  });
});

test("a flag name from argv is escaped in the message", async (t) => {
  const run = await cli(t, ["ls", ".", "--\x1b[31mred"]);
  assert.equal(run.code, 2);
  assert.equal(run.stderr, "error: Unknown option `--\\x1b[31mred` [usage_error]\nRun `exlab-cache ls --help` for usage.\n");
});
