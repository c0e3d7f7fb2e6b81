/**
 * runTimeline and `exlab-cache timeline`: every record of a run merged
 * oldest first, ingest.json found beside a staged run or under --staging,
 * log lines picked by their run tag, and whatever is missing or unreadable
 * named instead of failing; the command's output escaped.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { runTimeline } from "exlab-cache";
import { cli, stdoutJson } from "./helpers/cli.js";
import { REPO_ROOT } from "./helpers/filelock.js";
import { tempDir } from "./helpers/tmp.js";
import { put } from "./helpers/tree.js";

const fixture = (dir: string, name: string): string => readFileSync(join(REPO_ROOT, "test", "fixtures", dir, `${name}.json`), "utf8");
const RUN = "Run_2026-04-17T14-32";
const MARKER = '{"schema_version":"1.0","run_kind":"experimental","created_at":"2026-04-17T14:31:00Z","project":"PROJ-0042","equipment":"CONFOCAL_01"}';
const LOG = [
  "2026-04-17T14:32:05Z [INFO ] [equip:CONFOCAL_01] creation completed",
  `2026-04-17T14:33:00Z [WARN ] [host:labpc-04] [equip:CONFOCAL_01] [run:${RUN}] disk slow`,
  "2026-04-17T14:34:00Z [INFO ] [run:Run_2026-04-18T09-00] another run",
  `2026-04-17T14:36:00Z [INFO ] [equip:OTHER_01] [run:${RUN}] same name, other equipment`,
  "",
].join("\n");

/** A lab tree with one run (creation D), its Runs/ marker and a log; the run staged with ingest.json under `staging`. */
async function tree(t: TestContext) {
  const dir = await tempDir(t);
  const project = join(dir, "lab", "CONFOCAL_01", "Cortex Q3 Pilot");
  const run = join(project, "Runs", RUN);
  const staged = join(dir, "staging", "CONFOCAL_01", "Cortex Q3 Pilot", "Runs", RUN);
  await put(join(run, ".exlab-wizard", "creation.json"), fixture("creation", "D"));
  await put(join(project, "Runs", ".exlab-wizard", "runs.json"), MARKER);
  await put(join(dir, "lab", "CONFOCAL_01", ".exlab-wizard", "wizard.labpc-04.log"), LOG);
  await put(join(staged, ".exlab-wizard", "ingest.json"), fixture("ingest", "three-steps"));
  return { dir, run, staged, staging: join(dir, "staging") };
}

test("one chronological view: marker, creation, tagged log line, ingest steps, override and tombstone", async (t) => {
  const { run, staging } = await tree(t);
  const tl = await runTimeline(run, { staging });
  assert.equal(tl.version, 1);
  assert.deepEqual(tl.creation, { created_at: "2026-04-17T14:32:00Z", created_by: "asmith", sync_status: "blocked_by_validation" });
  assert.equal(tl.ingest_state, "sync_verified");
  assert.deepEqual([tl.equipment, tl.project, tl.run_name, tl.run_kind], ["CONFOCAL_01", "Cortex Q3 Pilot", RUN, "experimental"]);
  assert.deepEqual(
    tl.events.map((e) => `${e.at} ${e.source}/${e.kind}`),
    [
      "2026-04-17T14:31:00Z marker/marker",
      "2026-04-17T14:32:00Z creation/created",
      "2026-04-17T14:33:00Z log/log",
      "2026-04-17T14:35:00Z ingest/state",
      "2026-04-18T09:14:22Z creation/override",
      "2026-05-01T11:02:14Z creation/tombstone",
      "2026-12-06T07:19:58Z ingest/state",
      "2026-12-06T07:19:58Z ingest/state",
      "2026-12-06T07:19:58Z ingest/state",
    ],
  );
  assert.deepEqual(tl.events.filter((e) => e.source === "ingest").map((e) => e.details["state"]), ["staging", "complete", "sync_queued", "sync_verified"]);
  assert.ok(tl.sources.every((s) => s.status === "ok"), JSON.stringify(tl.sources));
  assert.deepEqual(tl.sources.map((s) => s.name), ["creation.json", "runs.json", "ingest.json", "log"]);
});

test("a staged run folder is read with its own ingest.json; without --staging the local run names ingest.json as missing", async (t) => {
  const { run, staged } = await tree(t);
  const stagedView = await runTimeline(staged);
  assert.equal(stagedView.ingest_state, "sync_verified");
  assert.equal(stagedView.sources.find((s) => s.name === "ingest.json")?.status, "ok");
  const local = await runTimeline(run);
  assert.deepEqual(local.sources.find((s) => s.name === "ingest.json"), { name: "ingest.json", path: join(run, ".exlab-wizard", "ingest.json"), status: "missing" });
  assert.equal(local.ingest_state, null);
});

test("an empty run folder: every record named missing, no events, no failure; a missing folder is ENOENT", async (t) => {
  const dir = await tempDir(t);
  const run = join(dir, "E", "P", "TestRuns", "TestRun_2026-04-17T14-32");
  await put(join(run, "data.bin"), "x");
  const tl = await runTimeline(run, { staging: join(dir, "nowhere") });
  assert.equal(tl.run_kind, "test");
  assert.deepEqual(tl.sources.map((s) => `${s.name} ${s.status}`), ["creation.json missing", "test_runs.json missing", "ingest.json missing", "log missing"]);
  assert.deepEqual(tl.events, []);
  await assert.rejects(runTimeline(join(dir, "absent")), { code: "ENOENT" });
});

test("unreadable records are named with their error code; the others still make the timeline", async (t) => {
  const { run, staging, staged } = await tree(t);
  await put(join(run, ".exlab-wizard", "creation.json"), fixture("creation", "D").replace('"schema_version":"1.9"', '"schema_version":"2.0"'));
  await put(join(staged, ".exlab-wizard", "ingest.json"), '{"schema_version":"1.1"');
  const tl = await runTimeline(run, { staging });
  assert.deepEqual(tl.sources.map((s) => `${s.name} ${s.status} ${s.code ?? ""}`), ["creation.json unreadable schema_major_mismatch", "runs.json ok ", "ingest.json unreadable malformed_file", "log ok "]);
  assert.equal(tl.creation, null);
  assert.deepEqual(tl.events.map((e) => e.kind), ["marker", "log"]);
});

test("the command prints the timeline escaped, names what is missing, exits 1 on an unreadable record; --json has a version", async (t) => {
  const { run, staging } = await tree(t);
  await put(join(run, ".exlab-wizard", "creation.json"), fixture("creation", "D").replace('"created_by":"asmith"', '"created_by":"evil\\u001b[2J\\nFAKE"'));
  const people = await cli(t, ["timeline", run]);
  assert.equal(people.code, 0, people.stderr);
  const lines = people.stdout.split("\n");
  assert.equal(lines[0], run);
  assert.equal(lines[1], "  created 2026-04-17T14:32:00Z by evil\\x1b[2J\\nFAKE, sync_status blocked_by_validation");
  assert.equal(lines[3], "  2026-04-17T14:32:00Z  created    created by evil\\x1b[2J\\nFAKE (run, experimental)");
  assert.equal(lines.at(-2), `  missing ingest.json ${join(run, ".exlab-wizard", "ingest.json")}`);
  assert.ok(!people.stdout.includes("\u001b"));

  const json = await cli(t, ["timeline", run, "--staging", staging, "--json"]);
  assert.equal(json.code, 0, json.stderr);
  // stdoutJson checks the version member and leaves it out.
  const doc = stdoutJson(json) as { events: unknown[]; ingest_state: string };
  assert.equal(doc.events.length, 9);
  assert.equal(doc.ingest_state, "sync_verified");

  await put(join(run, ".exlab-wizard", "creation.json"), "[]");
  const bad = await cli(t, ["timeline", run]);
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /unreadable creation\.json .*\[malformed_file\]/);
  const gone = await cli(t, ["timeline", join(run, "nope")]);
  assert.equal(gone.code, 2);
  assert.match(gone.stderr, /\[not_found\]/);
});

test("two projects on one equipment with the same run name: each timeline keeps its own project's and kind's lines", async (t) => {
  const dir = await tempDir(t);
  const equipment = join(dir, "lab", "CONFOCAL_01");
  const mine = join(equipment, "Cortex Q3 Pilot", "Runs", RUN);
  const theirs = join(equipment, "Retina", "Runs", RUN);
  const test = join(equipment, "Cortex Q3 Pilot", "TestRuns", `Test${RUN}`);
  for (const run of [mine, theirs, test]) await put(join(run, ".exlab-wizard", "creation.json"), fixture("creation", "D"));
  const lines = [
    `2026-04-17T14:33:00Z [INFO ] [equip:CONFOCAL_01] [proj:Cortex Q3 Pilot] [kind:experimental] [run:${RUN}] mine`,
    `2026-04-17T14:33:01Z [INFO ] [equip:CONFOCAL_01] [proj:Retina] [kind:experimental] [run:${RUN}] theirs`,
    `2026-04-17T14:33:02Z [INFO ] [equip:CONFOCAL_01] [proj:Cortex Q3 Pilot] [kind:test] [run:${RUN}] a test run's tag`,
    `2026-04-17T14:33:03Z [INFO ] [equip:CONFOCAL_01] [run:${RUN}] untagged: either`,
    `2026-04-17T14:33:04Z [INFO ] [proj:Cortex Q3 Pilot] [kind:test] [run:Test${RUN}] the test run`,
    "",
  ];
  await put(join(equipment, ".exlab-wizard", "wizard.labpc-04.log"), lines.join("\n"));
  const messages = async (run: string): Promise<unknown[]> => (await runTimeline(run)).events.filter((e) => e.source === "log").map((e) => e.details["message"]);
  assert.deepEqual(await messages(mine), ["mine", "untagged: either"]);
  assert.deepEqual(await messages(theirs), ["theirs", "untagged: either"]);
  assert.deepEqual(await messages(test), ["the test run"]);
});
