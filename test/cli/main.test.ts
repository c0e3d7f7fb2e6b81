import assert from "node:assert/strict";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { main, type CliIo } from "exlab-cache/cli";
import { BIN, PACKAGE_ROOT, RUN_SCRIPT, cli, stdoutJson } from "../helpers/cli.js";
import { finished, startChild } from "../helpers/children.js";
import { tempDir } from "../helpers/tmp.js";
import { equipmentRecord, put, validTree } from "../helpers/tree.js";
import { needs } from "../helpers/capabilities.js";

const COMMAND_NAMES = ["sync", "mark-test-runs", "mark-runs", "show", "ls", "check", "doctor"];
const EXIT_LINE = "Exit codes: 0 ok, 1 problems found, 2 usage or fatal error, 129 stopped by SIGHUP, 130 by SIGINT, 143 by SIGTERM, 149 by SIGBREAK (Windows).";

for (const name of COMMAND_NAMES) {
  test(`${name} --help shows usage, an example and the exit codes (exit 0)`, async (t) => {
    for (const flag of ["--help", "-h"]) {
      const run = await cli(t, [name, flag]);
      assert.equal(run.code, 0);
      assert.equal(run.stderr, "");
      assert.ok(run.stdout.startsWith(`Usage: exlab-cache ${name} `), run.stdout);
      assert.match(run.stdout, new RegExp(`\\nExample:\\n {2}exlab-cache ${name} \\S`));
      assert.ok(run.stdout.includes("--json"));
      assert.ok(run.stdout.endsWith(`${EXIT_LINE}\n`));
    }
  });
}

test("--help lists every command and the exit codes; --version prints the package version", async (t) => {
  const help = await cli(t, ["--help"]);
  assert.equal(help.code, 0);
  for (const name of COMMAND_NAMES) assert.match(help.stdout, new RegExp(`^ {2}${name} +\\S`, "m"));
  assert.ok(help.stdout.includes(EXIT_LINE));
  assert.match(help.stdout, /\nExample:\n {2}exlab-cache /);
  const pkg = JSON.parse(await readFile(join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string };
  for (const flag of ["--version", "-v"]) {
    const v = await cli(t, [flag]);
    assert.equal(v.code, 0);
    assert.equal(v.stdout, `${pkg.version}\n`);
  }
});

test("usage errors are one line and a hint on stderr, exit 2, never a stack trace", async (t) => {
  const none = await cli(t, []);
  assert.equal(none.code, 2);
  assert.equal(none.stdout, "");
  assert.ok(none.stderr.startsWith("Usage: exlab-cache <command>"));

  const unknown = await cli(t, ["frobnicate"]);
  assert.equal(unknown.code, 2);
  assert.equal(
    unknown.stderr,
    "error: Unknown command `frobnicate` (commands: sync, mark-test-runs, mark-runs, show, ls, check, problems, gate, runs, overrides, override-add, override-revoke, log, timeline, doctor) [usage_error]\nRun `exlab-cache --help` for usage.\n",
  );
  const badFlag = await cli(t, ["ls", ".", "--colour"]);
  assert.equal(badFlag.code, 2);
  assert.equal(badFlag.stderr, "error: Unknown option `--colour` [usage_error]\nRun `exlab-cache ls --help` for usage.\n");
  const noValue = await cli(t, ["sync", "--config"]);
  assert.equal(noValue.code, 2);
  assert.match(noValue.stderr, /^error: Option '--config <value>' argument missing \[usage_error\]\n/);
  const extra = await cli(t, ["check", "a", "b"]);
  assert.equal(extra.code, 2);
  assert.match(extra.stderr, /^error: Expected 1 argument \(<local_root>\), got 2 \[usage_error\]\n/);
  for (const run of [unknown, badFlag, noValue, extra]) {
    assert.equal(run.stdout, "");
    assert.doesNotMatch(run.stderr, /\n\s+at /);
  }
  const json = await cli(t, ["check", "--json"]);
  assert.equal(json.code, 2);
  assert.equal(json.stderr, "");
  assert.deepEqual(stdoutJson(json), {
    error: { code: "usage_error", message: "Expected 1 argument (<local_root>), got 0", details: { command: "check" } },
  });
});

const ESC = "\x1b";
const stripAnsi = (s: string): string => s.replace(new RegExp(String.raw`${ESC}\[\d+m`, "g"), "");

/** An in-process run of the tool with collected output. */
async function inProcess(argv: string[], io: Partial<CliIo>): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: {},
    isTTY: { stdout: false, stderr: false },
    ...io,
  });
  return { code, stdout, stderr };
}

test("colours only on a terminal, and never with NO_COLOR", async (t) => {
  const root = await tempDir(t);
  await validTree(root);
  await put(join(root, "CONFOCAL_01", ".exlab-wizard", "equipment.json"), equipmentRecord({ id: "OTHER" }));
  const tty = await inProcess(["check", root], { isTTY: { stdout: true, stderr: true } });
  assert.equal(tty.code, 1);
  assert.ok(tty.stdout.includes("\x1b[31mid_mismatch\x1b[39m"), tty.stdout);
  const noColor = await inProcess(["check", root], { isTTY: { stdout: true, stderr: true }, env: { NO_COLOR: "1" } });
  assert.ok(!noColor.stdout.includes("\x1b["));
  const pipe = await inProcess(["check", root], {});
  assert.ok(!pipe.stdout.includes("\x1b["));
  assert.equal(pipe.stdout, stripAnsi(tty.stdout));
});

test("the binary sees a real terminal: colours through a pty, none with NO_COLOR", needs(["script"]), async (t) => {
  const root = await tempDir(t);
  await validTree(root);
  const command = `${RUN_SCRIPT} '${BIN}' check '${root}'`;
  const coloured = await finished(startChild(t, "script", ["-qec", command, "/dev/null"]));
  assert.equal(coloured.code, 0, coloured.stderr);
  assert.ok(coloured.stdout.includes("\x1b[32mok\x1b[39m: 2 equipment folders"), JSON.stringify(coloured.stdout));
  const plain = await finished(startChild(t, "script", ["-qec", command, "/dev/null"], { NO_COLOR: "1" }));
  assert.equal(plain.code, 0);
  assert.ok(plain.stdout.includes("ok: 2 equipment folders"), JSON.stringify(plain.stdout));
  assert.ok(!plain.stdout.includes("\x1b["));
});

test("a walk that takes more than a moment shows progress on a terminal's stderr and erases it", async (t) => {
  const root = await tempDir(t);
  await validTree(root);
  // Each reading of the clock is 200 ms later: the walk looks slow.
  let ms = 0;
  const now = (): number => (ms += 200);
  const shown = await inProcess(["check", root], { isTTY: { stdout: false, stderr: true }, now });
  assert.equal(shown.code, 0);
  assert.match(shown.stderr, new RegExp(String.raw`^\r${ESC}\[Kchecking: \d+ folders, \d+ cache files read`));
  assert.ok(shown.stderr.endsWith("\r\x1b[K"));
  assert.equal(shown.stdout, "ok: 2 equipment folders, 2 projects, no problems\n");
  const piped = await inProcess(["ls", root], { now });
  assert.equal(piped.stderr, "");
  const quick = await inProcess(["check", root], { isTTY: { stdout: false, stderr: true }, now: () => 0 });
  assert.equal(quick.stderr, "");
});

test("a reader that closes the pipe early ends the tool quietly, without a stack trace", async (t) => {
  const root = await tempDir(t);
  // Enough findings to overflow a pipe buffer many times over.
  await Promise.all(Array.from({ length: 1500 }, (_, i) => mkdir(join(root, `EQ_${i}`))));
  const child = startChild(t, process.execPath, [BIN, "check", root]);
  child.stdout?.once("data", () => child.stdout?.destroy());
  const res = await finished(child);
  assert.equal(res.stderr, "");
  assert.equal(res.code, 1);
});
