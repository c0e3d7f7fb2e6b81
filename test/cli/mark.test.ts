import assert from "node:assert/strict";
import { mkdir, readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { cli, stdoutJson } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";
import { cachePaths, put } from "../helpers/tree.js";

interface MarkJson {
  path: string;
  status: string;
  marker: Record<string, string> | null;
  error: { code: string; field?: string } | null;
  warnings: unknown[];
}

const flags = (root: string, project = "PROJ-0042", equipment = "CONFOCAL_01"): string[] => ["--root", root, "--equipment", equipment, "--project", project];

for (const [command, kind, key] of [
  ["mark-test-runs", "test", "testRuns"],
  ["mark-runs", "experimental", "runs"],
] as const) {
  test(`${command} writes the marker once: created, then already present with the same bytes`, async (t) => {
    const root = await tempDir(t);
    await mkdir(join(root, "CONFOCAL_01"));
    const path = cachePaths(root)[key];
    const first = await cli(t, [command, ...flags(root), "--json"]);
    assert.equal(first.code, 0, first.stderr);
    const out = stdoutJson(first) as MarkJson;
    assert.deepEqual(Object.keys(out), ["path", "status", "marker", "error", "warnings"]);
    assert.equal(out.path, path);
    assert.equal(out.status, "created");
    assert.equal(out.error, null);
    assert.deepEqual(Object.keys(out.marker ?? {}), ["schema_version", "run_kind", "created_at", "project", "equipment"]);
    assert.equal(out.marker?.["run_kind"], kind);
    assert.equal(out.marker?.["project"], "PROJ-0042");
    assert.equal(out.marker?.["equipment"], "CONFOCAL_01");
    assert.deepEqual(JSON.parse(await readFile(path, "utf8")), out.marker);
    const bytes = await readFile(path, "utf8");

    const again = await cli(t, [command, ...flags(root)]);
    assert.equal(again.code, 0, again.stderr);
    const lines = again.stdout.split("\n");
    assert.equal(lines[0], `already present  ${path}`);
    assert.ok(lines.includes(`  created_at      ${out.marker?.["created_at"] ?? ""}`), again.stdout);
    assert.ok(lines.includes(`  run_kind        ${kind}`), again.stdout);
    assert.equal(await readFile(path, "utf8"), bytes);
  });
}

test("a project name with spaces is one folder; the other marker kind is not written", async (t) => {
  const root = await tempDir(t);
  await mkdir(join(root, "CONFOCAL_01"));
  const run = await cli(t, ["mark-runs", ...flags(root, "Cortex Q3 Pilot")]);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(await readdir(join(root, "CONFOCAL_01", "Cortex Q3 Pilot")), ["Runs"]);
});

test("a bad --equipment or --project is a usage error naming the flag (exit 2); nothing is created", async (t) => {
  const root = await tempDir(t);
  await mkdir(join(root, "CONFOCAL_01"));
  const badId = await cli(t, ["mark-test-runs", ...flags(root, "PROJ-0042", "confocal 01")]);
  assert.equal(badId.code, 2);
  assert.equal(
    badId.stderr,
    "error: Expected `--equipment` to match ^[A-Z][A-Z0-9_]*$ (max 32), got `confocal 01` [usage_error]\nRun `exlab-cache mark-test-runs --help` for usage.\n",
  );
  const badProject = await cli(t, ["mark-runs", ...flags(root, "../escape"), "--json"]);
  assert.equal(badProject.code, 2);
  const env = stdoutJson(badProject) as { error: { code: string; message: string } };
  assert.equal(env.error.code, "usage_error");
  assert.match(env.error.message, /^Expected `--project` to be a single safe folder name, got `\.\.\/escape`/);
  assert.deepEqual(await readdir(join(root, "CONFOCAL_01")), []);
});

test("a missing root or equipment folder is a fatal error (exit 2) and creates nothing", async (t) => {
  const root = await tempDir(t);
  const noRoot = await cli(t, ["mark-test-runs", ...flags(join(root, "lab"))]);
  assert.equal(noRoot.code, 2);
  assert.equal(noRoot.stderr, `error: ${join(root, "lab")}: the root folder does not exist [not_found]\n`);
  const noEquipment = await cli(t, ["mark-test-runs", ...flags(root), "--json"]);
  assert.equal(noEquipment.code, 2);
  assert.deepEqual(stdoutJson(noEquipment), {
    error: {
      code: "not_found",
      message: `${join(root, "CONFOCAL_01")}: equipment folder \`CONFOCAL_01\` does not exist`,
      details: { path: join(root, "CONFOCAL_01"), os_code: "ENOENT" },
    },
  });
  assert.deepEqual(await readdir(root), []);
});

test("an existing marker that is invalid is left as it is: already present, its error shown, exit 1", async (t) => {
  const root = await tempDir(t);
  const path = await put(cachePaths(root).testRuns, '{"schema_version":"9.0"}');
  const run = await cli(t, ["mark-test-runs", ...flags(root), "--json"]);
  assert.equal(run.code, 1);
  const out = stdoutJson(run) as MarkJson;
  assert.equal(out.status, "already_present");
  assert.equal(out.marker, null);
  assert.equal(out.error?.code, "schema_major_mismatch");
  assert.equal(out.error?.field, "schema_version");
  assert.equal(await readFile(path, "utf8"), '{"schema_version":"9.0"}');
});
