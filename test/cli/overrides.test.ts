/**
 * The override commands on a run folder: add, list with states, revoke,
 * with the library's checks (refusals leave the file as it was) and output
 * escaped as everywhere else.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { cli, stdoutJson } from "../helpers/cli.js";
import { REPO_ROOT } from "../helpers/filelock.js";
import { tempDir } from "../helpers/tmp.js";

const B = readFileSync(join(REPO_ROOT, "test", "fixtures", "creation", "B.json"), "utf8");

async function runFolder(t: TestContext, text = B): Promise<{ run: string; file: string }> {
  const run = join(await tempDir(t), "CONFOCAL_01", "P", "Runs", "Run_2026-04-17T14-32");
  await mkdir(join(run, ".exlab-wizard"), { recursive: true });
  const file = join(run, ".exlab-wizard", "creation.json");
  await writeFile(file, text);
  return { run, file };
}

interface Listed {
  overrides: { state: string; entry: Record<string, unknown> }[];
  active_problem_classes: string[];
}

test("override-add, overrides and override-revoke: entries appended under the lock, states as the gate sees them", async (t) => {
  const { run, file } = await runFolder(t);
  const added = await cli(t, ["override-add", run, "--problem-class", "mode_prefix_mismatch", "--reason", "Folder renamed by hand; approved by PI.", "--operator", "asmith", "--json"]);
  assert.equal(added.code, 0, added.stderr);
  const entry = (stdoutJson(added) as { entry: Record<string, unknown> }).entry;
  assert.deepEqual(Object.keys(entry), ["id", "problem_class", "operator", "recorded_at", "reason", "revoked", "expires_at"]);
  const disk = await readFile(file, "utf8");
  assert.equal(disk, B.replace(/}$/, `,"validation_overrides":[${JSON.stringify(entry)}]}`));
  const expired = await cli(t, ["override-add", run, "--problem-class", "orphan", "--reason", "Temporary waiver, long gone.", "--expires-at", "2001-01-01T00:00:00Z"]);
  assert.equal(expired.code, 0, expired.stderr);

  const listed = stdoutJson(await cli(t, ["overrides", run, "--json"])) as Listed;
  assert.deepEqual(listed.overrides.map((o) => o.state), ["active", "expired"]);
  assert.deepEqual(listed.active_problem_classes, ["mode_prefix_mismatch"]);

  const revoked = await cli(t, ["override-revoke", run, "--id", String(entry["id"]), "--reason", "Folder fixed; no longer needed."]);
  assert.equal(revoked.code, 0, revoked.stderr);
  assert.match(revoked.stdout, /^override revoked {2}/);
  const after = stdoutJson(await cli(t, ["overrides", run, "--json"])) as Listed;
  assert.deepEqual(after.overrides.map((o) => o.state), ["revoked", "expired", "tombstone"]);
  assert.deepEqual(after.active_problem_classes, []);
});

test("refusals: an unknown id or a second revoke is a problem of the record (exit 1), a bad class or reason a bad request (exit 2); the file is left as it was", async (t) => {
  const d = readFileSync(join(REPO_ROOT, "test", "fixtures", "creation", "D.json"), "utf8");
  const { run, file } = await runFolder(t, d);
  const again = await cli(t, ["override-revoke", run, "--id", "0b5e3c1a-2f4d-4c8e-9a7b-6d5e4f3a2b1c", "--reason", "Once more, to be sure.", "--json"]);
  assert.equal(again.code, 1);
  assert.deepEqual((stdoutJson(again) as { error: { code: string; details: { reason: string } } }).error.details.reason, "already_revoked");
  const unknown = await cli(t, ["override-revoke", run, "--id", "nope", "--reason", "No such override here."]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /\[override_not_revocable\]/);
  const bad = await cli(t, ["override-add", run, "--problem-class", "made_up", "--reason", "short", "--json"]);
  assert.equal(bad.code, 2);
  const issues = (stdoutJson(bad) as { error: { code: string; details: { issues: { path: string }[] } } }).error;
  assert.equal(issues.code, "validation_failed");
  assert.deepEqual(issues.details.issues.map((i) => i.path), ["problem_class", "reason"]);
  assert.equal(await readFile(file, "utf8"), d);
  const missing = await cli(t, ["overrides", join(run, "nope")]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /\[not_found\]/);
});

test("a creation.json that breaks its schema: override-add and override-revoke exit 1 with validation_failed, the file untouched", async (t) => {
  const broken = B.replace('"created_by":"asmith"', '"created_by":42');
  assert.notEqual(broken, B);
  const { run, file } = await runFolder(t, broken);
  const add = await cli(t, ["override-add", run, "--problem-class", "orphan", "--reason", "Kept on purpose here.", "--json"]);
  assert.equal(add.code, 1, add.stderr);
  assert.equal((stdoutJson(add) as { error: { code: string } }).error.code, "validation_failed");
  const revoke = await cli(t, ["override-revoke", run, "--id", "nope", "--reason", "No such override here."]);
  assert.equal(revoke.code, 1, revoke.stderr);
  assert.match(revoke.stderr, /\[validation_failed\]/);
  assert.equal(await readFile(file, "utf8"), broken);
});

test("overrides for people: a table with escaped values and what is waived now", async (t) => {
  const { run } = await runFolder(t);
  const added = await cli(t, ["override-add", run, "--problem-class", "orphan", "--reason", "Kept \u001b[31mon purpose here.", "--operator", "a\nb"]);
  assert.equal(added.code, 0, added.stderr);
  assert.match(added.stdout, /^ {2}reason +Kept \\x1b\[31mon purpose here\.$/m);
  const out = await cli(t, ["overrides", run]);
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stdout, /^STATE +ID +CLASS \/ REVOKES +RECORDED +EXPIRES +OPERATOR +REASON$/m);
  assert.match(out.stdout, /^active +[0-9a-f-]{36} +orphan +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ +never +a\\nb +Kept \\x1b\[31mon purpose here\.$/m);
  assert.match(out.stdout, /^1 entry; waived now: orphan$/m);
  assert.ok(!out.stdout.includes("\u001b"), "no raw escape reaches the terminal");
});
