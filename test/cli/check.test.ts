import assert from "node:assert/strict";
import { mkdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { cli, stdoutJson, BIN } from "../helpers/cli.js";
import { finished, startChild } from "../helpers/children.js";
import { tempDir } from "../helpers/tmp.js";
import { cachePaths, equipmentRecord, markerRecord, put, validTree } from "../helpers/tree.js";
import { needs } from "../helpers/capabilities.js";

interface Finding {
  rule: string;
  path: string;
  message: string;
  code: string | null;
  field: string | null;
}

async function checkJson(t: TestContext, root: string): Promise<{ code: number | null; findings: Finding[] }> {
  const run = await cli(t, ["check", root, "--json"]);
  assert.equal(run.stderr, "");
  const doc = stdoutJson(run) as { root: string; findings: Finding[] };
  assert.equal(doc.root, root);
  return { code: run.code, findings: doc.findings };
}

/** The findings as `rule path-relative-to-root code field`, for compact comparison. */
function summary(root: string, findings: readonly Finding[]): string[] {
  return findings.map((f) => `${f.rule} ${f.path.slice(root.length + 1)} ${f.code} ${f.field}`);
}

test("a valid tree passes: exit 0, no findings in a versioned JSON document, and an ok line for people", async (t) => {
  const root = await tempDir(t);
  await validTree(root);
  const { code, findings } = await checkJson(t, root);
  assert.equal(code, 0);
  assert.deepEqual(findings, []);
  const human = await cli(t, ["check", root]);
  assert.equal(human.code, 0);
  assert.equal(human.stdout, "ok: 2 equipment folders, 2 projects, no problems\n");
});

const P = cachePaths("");
const rel = (p: string): string => p;

const cases: { rule: string; breakIt: (root: string) => Promise<unknown>; expect: string[] }[] = [
  {
    rule: "unreadable_file (a symlink where equipment.json should be)",
    breakIt: async (root) => {
      await put(join(root, "elsewhere.json"), equipmentRecord());
      await rm(join(root, P.equipment));
      await symlink(join(root, "elsewhere.json"), join(root, P.equipment));
    },
    expect: [`unreadable_file ${rel(P.equipment)} not_regular_file null`],
  },
  {
    rule: "unreadable_file (.exlab-wizard is a file)",
    breakIt: async (root) => {
      await rm(join(root, "FLOW_01", ".exlab-wizard"), { recursive: true });
      await writeFile(join(root, "FLOW_01", ".exlab-wizard"), "");
    },
    expect: ["unreadable_file FLOW_01/.exlab-wizard ENOTDIR null"],
  },
  {
    rule: "invalid_file (not JSON)",
    breakIt: (root) => writeFile(join(root, P.equipment), '{"schema_version":"1.0",'),
    expect: [`invalid_file ${rel(P.equipment)} malformed_file null`],
  },
  {
    rule: "invalid_file (a field breaks the schema)",
    breakIt: (root) => put(join(root, P.testRuns), markerRecord("test", { created_at: "yesterday" })),
    expect: [`invalid_file ${rel(P.testRuns)} validation_failed created_at`],
  },
  {
    rule: "schema_major_mismatch",
    breakIt: (root) => put(join(root, P.runs), markerRecord("experimental", { schema_version: "2.0" })),
    expect: [`schema_major_mismatch ${rel(P.runs)} schema_major_mismatch schema_version`],
  },
  {
    rule: "id_mismatch",
    breakIt: (root) => put(join(root, P.equipment), equipmentRecord({ id: "CONFOCAL_02" })),
    expect: [`id_mismatch ${rel(P.equipment)} null id`],
  },
  {
    rule: "missing_equipment_json",
    breakIt: (root) => mkdir(join(root, "SPIM_01", "PROJ-0001"), { recursive: true }),
    expect: ["missing_equipment_json SPIM_01 null null"],
  },
  {
    rule: "bad_folder_name",
    breakIt: (root) => put(join(root, "confocal 02", ".exlab-wizard", "equipment.json"), equipmentRecord({ id: "CONFOCAL_02" })),
    expect: ["bad_folder_name confocal 02 null null", "id_mismatch confocal 02/.exlab-wizard/equipment.json null id"],
  },
  {
    rule: "marker_mismatch (project)",
    breakIt: (root) => put(join(root, P.testRuns), markerRecord("test", { project: "PROJ-0043" })),
    expect: [`marker_mismatch ${rel(P.testRuns)} null project`],
  },
  {
    rule: "marker_mismatch (equipment)",
    breakIt: (root) => put(join(root, P.runs), markerRecord("experimental", { equipment: "FLOW_01" })),
    expect: [`marker_mismatch ${rel(P.runs)} null equipment`],
  },
  {
    rule: "run_kind_mismatch",
    breakIt: (root) => put(join(root, P.testRuns), markerRecord("test", { run_kind: "experimental" })),
    expect: [`run_kind_mismatch ${rel(P.testRuns)} validation_failed run_kind`],
  },
  {
    rule: "misplaced_marker (runs.json under TestRuns/, test_runs.json under Runs/)",
    breakIt: async (root) => {
      // Written without run_kind, as the Python application writes markers,
      // so the file's kind is the folder's and only the name is wrong.
      const noKind = markerRecord("test");
      delete noKind["run_kind"];
      await put(join(root, "CONFOCAL_01", "PROJ-0042", "TestRuns", ".exlab-wizard", "runs.json"), noKind);
      await put(join(root, "CONFOCAL_01", "PROJ-0042", "Runs", ".exlab-wizard", "test_runs.json"), noKind);
    },
    expect: [
      "misplaced_marker CONFOCAL_01/PROJ-0042/Runs/.exlab-wizard/test_runs.json null null",
      "misplaced_marker CONFOCAL_01/PROJ-0042/TestRuns/.exlab-wizard/runs.json null null",
    ],
  },
  {
    rule: "stale_temp_file",
    breakIt: async (root) => {
      await put(join(root, `${P.equipment}.Xy3_k9.tmp`), "{");
      await put(join(root, `${P.testRuns}.q8Zr-1.tmp`), "");
    },
    expect: [`stale_temp_file ${rel(P.equipment)}.Xy3_k9.tmp null null`, `stale_temp_file ${rel(P.testRuns)}.q8Zr-1.tmp null null`],
  },
  {
    rule: "timestamps_out_of_order",
    breakIt: (root) => put(join(root, P.equipment), equipmentRecord({ first_seen_at: "2026-04-17T14:32:01Z", last_modified_at: "2026-04-17T14:32:00Z" })),
    expect: [`timestamps_out_of_order ${rel(P.equipment)} null last_modified_at`],
  },
];

for (const c of cases) {
  test(`check finds ${c.rule}: exit 1 and exactly that finding`, async (t) => {
    const root = await tempDir(t);
    await validTree(root);
    await c.breakIt(root);
    const { code, findings } = await checkJson(t, root);
    assert.deepEqual(summary(root, findings), c.expect);
    assert.equal(code, 1);
    for (const f of findings) {
      assert.deepEqual(Object.keys(f), ["rule", "path", "message", "code", "field"]);
      assert.ok(f.message.length > 0);
    }
  });
}

test("every problem at once: one line each, sorted by path, the same on every run", async (t) => {
  const root = await tempDir(t);
  await validTree(root);
  for (const c of cases.slice(2)) await c.breakIt(root);
  const first = await cli(t, ["check", root]);
  const second = await cli(t, ["check", root]);
  assert.equal(first.code, 1);
  assert.equal(first.stdout, second.stdout);
  const lines = first.stdout.trimEnd().split("\n");
  const findingLines = lines.slice(0, -1);
  const { findings } = await checkJson(t, root);
  assert.equal(findingLines.length, findings.length);
  assert.equal(lines.at(-1), `${findings.length} problems in 4 equipment folders, 3 projects`);
  const paths = findings.map((f) => f.path);
  assert.deepEqual(paths, [...paths].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  findingLines.forEach((line, i) => {
    const f = findings[i];
    assert.ok(f !== undefined);
    assert.equal(line, `${f.path}: ${f.rule}: ${f.message}${f.code === null ? "" : ` [${f.code}]`}`);
  });
});

test("check never looks inside run folders: broken files there are not reported", async (t) => {
  const root = await tempDir(t);
  await validTree(root);
  const run = join(root, "CONFOCAL_01", "PROJ-0042", "TestRuns", "TestRun_2026-04-17T14-00");
  await put(join(run, ".exlab-wizard", "test_runs.json"), "not json");
  await put(join(run, ".exlab-wizard", "equipment.json.Ab12.tmp"), "");
  await put(join(run, "CONFOCAL_01", ".exlab-wizard", "equipment.json"), "{");
  const { code, findings } = await checkJson(t, root);
  assert.deepEqual(findings, []);
  assert.equal(code, 0);
});

test("check touches no data file and stats no directory entry (strace)", needs(["strace"]), async (t) => {
  const root = await tempDir(t);
  await validTree(root);
  for (let i = 0; i < 20; i++) await put(join(root, "CONFOCAL_01", "PROJ-0042", "Runs", `Run_2026-05-${String(i + 1).padStart(2, "0")}T10-00`, "data.bin"), "x");
  const log = join(root, "..", `${root.split("/").at(-1)}.strace`);
  t.after(() => rm(log, { force: true }));
  const child = startChild(t, "strace", ["-f", "-qq", "-e", "trace=%file,%stat", "-o", log, process.execPath, BIN, "check", root]);
  const res = await finished(child);
  assert.equal(res.code, 0, res.stderr);
  const lines = (await readFile(log, "utf8")).split("\n").filter((l) => l.includes(root));
  const stats = lines.filter((l) => /\b(stat|lstat|newfstatat|fstatat64|statx|stat64|lstat64)\(/.test(l));
  assert.deepEqual(stats, [], "a stat call by path on the tree");
  const intoRuns = lines.filter((l) => /\/(Test)?Run_[^/"]*/.test(l));
  assert.deepEqual(intoRuns, [], "a run folder was opened");
  // Sanity: the walk did read the cache files, so the filter above can match.
  assert.ok(lines.some((l) => l.includes("runs.json")));
});

test("check of a missing root is a fatal error (exit 2), one line, no stack", async (t) => {
  const root = await tempDir(t);
  const run = await cli(t, ["check", join(root, "nope")]);
  assert.equal(run.code, 2);
  assert.equal(run.stdout, "");
  assert.match(run.stderr, /^error: .*nope: no such folder \[not_found\]\n$/);
  const json = await cli(t, ["check", join(root, "nope"), "--json"]);
  assert.equal(json.code, 2);
  assert.deepEqual(stdoutJson(json), {
    error: { code: "not_found", message: `${join(root, "nope")}: no such folder`, details: { path: join(root, "nope"), os_code: "ENOENT" } },
  });
});
