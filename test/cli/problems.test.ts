/**
 * `exlab-cache problems` and `exlab-cache gate` from the real binary on
 * real trees: the REST shape, filters, exit codes, escaping, usage errors.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { cli, stdoutJson } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";
import { put, record } from "../tree/_trees.js";

async function lab(t: TestContext): Promise<{ root: string; config: string }> {
  const root = await tempDir(t);
  await record(root, "CONFOCAL_01/PROJ-0042", { level: "project" });
  await record(root, "CONFOCAL_01/PROJ-0042/Runs/Run_2026-04-17T14-32");
  await put(root, "CONFOCAL_01/PROJ-0042/Runs/Run_2026-04-17T14-32/README.md", "sample: <sample_id>\n");
  await put(root, "CONFOCAL_01/PROJ-0042/Runs/Run_2026-04-17T14-32/bad\x1b[31m.txt", "x");
  await put(root, "CONFOCAL_01/PROJ-0042/TestRuns/TestRun_2026-04-19T10-00/data.csv", "1,2\n");
  const config = await put(root, "config.yaml", `paths:\n  local_root: "${root}"\nequipment:\n  - id: CONFOCAL_01\n    label: C\n`);
  return { root, config };
}

test("problems --json: the app's shape with a version, sources beside it; exit 1 on a hard finding", async (t) => {
  const { root, config } = await lab(t);
  const run = await cli(t, ["problems", "--config", config, "--json"]);
  assert.equal(run.code, 1, run.stderr);
  assert.deepEqual(Object.keys(JSON.parse(run.stdout) as object), ["version", "findings", "audit_at", "sources"]);
  const doc = stdoutJson(run) as { findings: Record<string, unknown>[]; audit_at: string; sources: string[][] };
  assert.match(doc.audit_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
  assert.deepEqual(Object.keys(doc.findings[0] ?? {}), ["rule", "tier", "run_path", "offending_path", "offending_kind", "matched_token", "rule_detail", "synced_under_prior_policy", "override_active"]);
  assert.deepEqual(doc.findings.map((f) => f["rule"]), ["illegal_filesystem_character", "unresolved_placeholder_token", "orphan"]);
  assert.equal(doc.findings[0]?.["matched_token"], "\x1b");
  assert.equal(doc.sources[1]?.[0], join(root, "CONFOCAL_01/PROJ-0042/Runs/Run_2026-04-17T14-32/README.md"));
  // Filters apply to what is shown and to the exit code.
  const soft = await cli(t, ["problems", "--config", config, "--json", "--tier", "soft"]);
  assert.equal(soft.code, 0);
  assert.deepEqual((stdoutJson(soft) as { findings: { rule: string }[] }).findings.map((f) => f.rule), ["orphan"]);
  const byRule = await cli(t, ["problems", "--config", config, "--json", "--rule", "orphan", "--equipment", "CONFOCAL_01", "--project", "PROJ-0042"]);
  assert.equal((stdoutJson(byRule) as { findings: unknown[] }).findings.length, 1);
});

test("problems for people: grouped by run, control characters escaped", async (t) => {
  const { root, config } = await lab(t);
  await put(root, "CONFOCAL_01/PROJ-0042/Runs/Run_2026-04-17T14-32/x<y>.md", "x");
  const run = await cli(t, ["problems", "--config", config]);
  assert.equal(run.code, 1);
  assert.ok(!run.stdout.includes("\x1b"), run.stdout);
  assert.match(run.stdout, new RegExp(`^${join(root, "CONFOCAL_01/PROJ-0042/Runs/Run_2026-04-17T14-32").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\n  hard `, "m"));
  assert.match(run.stdout, /hard unresolved_placeholder_token: README\.md: Angle-bracket identifier token <sample_id>/);
  assert.match(run.stdout, /^\d+ findings \(\d+ hard\) in /m);
});

test("problems: usage mistakes exit 2 with one line", async (t) => {
  const { config } = await lab(t);
  for (const args of [["--tier", "medium"], ["--rule", "nope"], ["--project", "P"], ["--equipment", "NOPE_01"]]) {
    const run = await cli(t, ["problems", "--config", config, ...args]);
    assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
    assert.equal(run.stderr.trim().split("\n")[0]?.startsWith("error: "), true, run.stderr);
    assert.ok(!run.stderr.includes("    at "), run.stderr);
  }
  const missing = await cli(t, ["problems", "--config", "/nonexistent/config.yaml"]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /\[not_found\]/);
});

test("gate: eligible exits 0, blocked 1 with the blocking findings, not gateable 1 with the reason", async (t) => {
  const { root } = await lab(t);
  const good = join(root, "CONFOCAL_01/PROJ-0042/Runs/Run_2026-04-17T14-32");
  await record(root, "CONFOCAL_01/PROJ-0042/Runs/Run_2026-04-20T10-00");
  const ok = await cli(t, ["gate", join(root, "CONFOCAL_01/PROJ-0042/Runs/Run_2026-04-20T10-00")]);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /: eligible\n/);
  const blocked = await cli(t, ["gate", good, "--json"]);
  assert.equal(blocked.code, 1);
  const v = stdoutJson(blocked) as { status: string; blocking: { rule: string }[] };
  assert.equal(v.status, "blocked");
  assert.deepEqual(v.blocking.map((f) => f.rule), ["illegal_filesystem_character"]);
  const orphan = await cli(t, ["gate", join(root, "CONFOCAL_01/PROJ-0042/TestRuns/TestRun_2026-04-19T10-00")]);
  assert.equal(orphan.code, 1);
  assert.match(orphan.stdout, /not gateable: the run has no creation.json \[record_missing\]/);
  const none = await cli(t, ["gate", join(root, "nope")]);
  assert.equal(none.code, 2);
});

test("problems reads the validator settings as the application does, and refuses what it refuses", async (t) => {
  const root = await tempDir(t);
  await record(root, "CONFOCAL_01/P", { level: "project" });
  await put(root, "CONFOCAL_01/P/notes.log", "<in_a_log>");
  const base = `paths:\n  local_root: "${root}"\nequipment:\n  - id: CONFOCAL_01\n`;
  const plain = await put(root, "plain.yaml", base);
  assert.equal((await cli(t, ["problems", "--config", plain])).code, 0);
  // A listed extension is scanned; whitespace around it is stripped and case ignored.
  const logs = await put(root, "logs.yaml", `${base}validator:\n  content_scan_extensions: [" .LOG "]\n`);
  const run = await cli(t, ["problems", "--config", logs, "--json"]);
  assert.equal(run.code, 1);
  assert.deepEqual((stdoutJson(run) as { findings: { matched_token: string }[] }).findings.map((f) => f.matched_token), ["<in_a_log>"]);
  for (const bad of ["validator:\n  content_scan_max_mib: 0\n", "validator:\n  other: 1\n", "validator:\n  content_scan_extensions: [log]\n", "orchestrator:\n  staging_root: [1]\n"]) {
    const file = await put(root, "bad.yaml", base + bad);
    const r = await cli(t, ["problems", "--config", file]);
    assert.equal(r.code, 2, bad);
    assert.match(r.stderr, /\[config_invalid\]\n$/, bad);
  }
});

test("problems shows progress with a total on a terminal only, and erases it", async (t) => {
  const { config } = await lab(t);
  const { main } = await import("../../src/cli/main.js");
  let clock = 0;
  const run = async (tty: boolean): Promise<string> => {
    let err = "";
    await main(["problems", "--config", config], {
      stdout: { write: () => true },
      stderr: { write: (s: string) => (err += s) },
      env: {},
      isTTY: { stdout: false, stderr: tty },
      // Every reading of the clock is a second later: the progress delay is always past.
      now: () => (clock += 1000),
    });
    return err;
  };
  const shown = await run(true);
  assert.match(shown, new RegExp(String.raw`\r\u001b\[Kauditing: 1/1 projects, \d+ folders, \d+ files`));
  assert.ok(shown.endsWith("\r\x1b[K"), JSON.stringify(shown));
  assert.equal(await run(false), "");
});
