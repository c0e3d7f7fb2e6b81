/**
 * CreationCacheWriter: create once, update under the one lock, read; real
 * files in a fresh folder, real processes for the races.
 */
import assert from "node:assert/strict";
import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { test, type TestContext } from "node:test";
import { CreationCacheWriter, runCreationPath, type CreationInput } from "exlab-cache";
import { finished, goTogether, lastLine, startChild, waitForLine, workerScript } from "./helpers/children.js";
import { needs } from "./helpers/capabilities.js";
import { PYTHON, filelockPeers, pyScript } from "./helpers/filelock.js";

/** The 3.29 protocol stand-in: it runs wherever python3 does. */
const LOCKER = filelockPeers().find((p) => p.protocol === "3.29")?.env ?? {};
import { FakeClock, tempDir } from "./helpers/tmp.js";

/** cache-family §3.8 example A, byte for byte as the application writes it. */
const EXAMPLE_A =
  '{"schema_version":"1.9","created_at":"2026-04-17T14:00:00Z","created_by":"asmith","level":"project","run_kind":"experimental","lims_project":{"uid":"","short_id":"","name_at_creation":"Cortex Q3 Pilot"},"template":{"name":"project_default","version":"1.0","source_path":"/opt/templates/project_default"},"variables":{},"paths":{"local":"/data/lab/CONFOCAL_01/Cortex Q3 Pilot","nas":""}}';

const INPUT_A: CreationInput = {
  created_by: "asmith",
  level: "project",
  run_kind: "experimental",
  lims_project: { uid: "", short_id: "", name_at_creation: "Cortex Q3 Pilot" },
  template: { name: "project_default", version: "1.0", source_path: "/opt/templates/project_default" },
  variables: {},
  paths: { local: "/data/lab/CONFOCAL_01/Cortex Q3 Pilot", nas: "" },
};

/** cache-family §3.8 example F's input: a newer minor, unknown members at two depths, a float written 1.50. */
const EXAMPLE_F =
  '{"x_note":"kept","schema_version":"1.12","created_at":"2026-04-17T14:00:00Z","created_by":"asmith","level":"project","run_kind":"experimental","lims_project":{"uid":"","short_id":"","name_at_creation":"P","x_sub":1},"template":{"name":"t","version":"1.0","source_path":"/t"},"variables":{"gain":1.50},"paths":{"local":"/l","nas":""},"sync_status":"blocked_by_validation","validation_overrides":[]}';

const code = (expected: string) => (err: unknown) => (err as { code?: unknown }).code === expected;

async function runPath(t: TestContext, seed?: string): Promise<string> {
  const path = runCreationPath(await tempDir(t), "CONFOCAL_01", "Cortex Q3 Pilot", "Run_2026-04-17T14-32");
  if (seed !== undefined) {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, seed);
  }
  return path;
}

async function lockIsFree(t: TestContext, path: string): Promise<boolean> {
  const probe = await finished(startChild(t, PYTHON, [pyScript("try_lock.py"), path], LOCKER));
  return probe.stdout.trim() === "acquired";
}

test("create writes the application's bytes, and refuses an existing file with already_exists, byte for byte", async (t) => {
  const path = await runPath(t);
  const writer = new CreationCacheWriter({ clock: new FakeClock("2026-04-17T14:00:00Z").now });
  const written = await writer.create(path, INPUT_A);
  assert.equal(await readFile(path, "utf8"), EXAMPLE_A);
  assert.equal(written.created_at, "2026-04-17T14:00:00Z");
  await assert.rejects(writer.create(path, { ...INPUT_A, created_by: "bjones" }), (err: unknown) => code("already_exists")(err) && (err as { path?: string }).path === path);
  assert.equal(await readFile(path, "utf8"), EXAMPLE_A);
});

test("a bad record is refused before anything touches the disk", async (t) => {
  const root = await tempDir(t);
  const path = runCreationPath(root, "CONFOCAL_01", "P", "Run_x");
  await assert.rejects(new CreationCacheWriter().create(path, { ...INPUT_A, level: "galaxy" } as unknown as CreationInput), code("validation_failed"));
  assert.deepEqual(await readdir(root), []);
});

test("of racing creators in many processes exactly one wins", async (t) => {
  const path = await runPath(t);
  const children = Array.from({ length: 4 }, (_, i) => startChild(t, process.execPath, [workerScript("creation-create"), path, `op${i}`]));
  const lines = (await goTogether(children)).map(lastLine);
  assert.equal(lines.filter((l) => l === "created").length, 1, lines.join(","));
  assert.equal(lines.filter((l) => l === "already_exists").length, 3, lines.join(","));
  assert.equal((await new CreationCacheWriter().read(path)).created_by, `op${lines.indexOf("created")}`);
});

test("update of a file without a version is schema_major_mismatch, file untouched", async (t) => {
  const seed = EXAMPLE_A.replace('"schema_version":"1.9",', "");
  const path = await runPath(t, seed);
  await assert.rejects(new CreationCacheWriter().update(path, (r) => void (r.created_by = "x")), code("schema_major_mismatch"));
  assert.equal(await readFile(path, "utf8"), seed);
});

test("update of a missing file is not_found and creates nothing", async (t) => {
  const root = await tempDir(t);
  const path = runCreationPath(root, "CONFOCAL_01", "P", "Run_x");
  await assert.rejects(new CreationCacheWriter().setSyncStatus(path, "synced"), code("not_found"));
  assert.deepEqual(await readdir(root), []);
});

test("a mutator that throws, or returns an invalid record, leaves the file untouched and the lock released", needs(["python3"]), async (t) => {
  const path = await runPath(t, EXAMPLE_A);
  const writer = new CreationCacheWriter();
  const boom = new Error("mutator failed");
  await assert.rejects(writer.update(path, () => { throw boom; }), (err) => err === boom);
  await assert.rejects(writer.update(path, (r) => ({ ...r, level: "galaxy" as "run" })), code("validation_failed"));
  await assert.rejects(writer.update(path, (r) => void (r.sync_status = "archived" as "synced")), code("validation_failed"));
  assert.equal(await readFile(path, "utf8"), EXAMPLE_A);
  assert.equal(await lockIsFree(t, path), true);
});

test("update keeps unknown members at every depth, raw numbers and a newer minor; pending set back sticks", async (t) => {
  const path = await runPath(t, EXAMPLE_F);
  const writer = new CreationCacheWriter();
  const written = await writer.setSyncStatus(path, "pending");
  assert.equal(written.sync_status, "pending");
  const text = await readFile(path, "utf8");
  assert.ok(!text.includes("sync_status"), text);
  assert.ok(text.includes('"schema_version":"1.12"'), text);
  assert.ok(text.includes('"x_note":"kept"'), text);
  assert.ok(text.includes('"x_sub":1'), text);
  assert.ok(text.includes('"gain":1.50'), text);
  // Another update does not bring the old value back.
  await writer.update(path, (r) => void (r.created_by = "bjones"));
  const after = await readFile(path, "utf8");
  assert.ok(!after.includes("sync_status"), after);
  assert.equal((await writer.read(path)).sync_status, "pending");
});

test("a mutator that writes its own file fails at once with lock_reentry, file untouched", needs(["python3"]), async (t) => {
  const path = await runPath(t, EXAMPLE_A);
  const writer = new CreationCacheWriter({ lockTimeoutMs: 2_000 });
  await assert.rejects(
    writer.update(path, async (r) => {
      await writer.setSyncStatus(path, "synced");
      r.created_by = "x";
    }),
    code("lock_reentry"),
  );
  assert.equal(await readFile(path, "utf8"), EXAMPLE_A);
  assert.equal(await lockIsFree(t, path), true);
});

test("overrides: UUID v4 ids and the clock's recorded_at; an unknown or already-revoked id cannot be revoked", async (t) => {
  const path = await runPath(t, EXAMPLE_A);
  const writer = new CreationCacheWriter({ clock: new FakeClock("2026-04-18T09:14:22Z").now });
  const entry = await writer.addOverride(path, { problem_class: "mode_prefix_mismatch", reason: "Folder renamed by hand; approved by PI.", operator: "asmith" });
  assert.match(entry.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(entry.recorded_at, "2026-04-18T09:14:22Z");
  await assert.rejects(writer.addOverride(path, { problem_class: "orphan", reason: "short" }), code("validation_failed"));
  const before = await readFile(path, "utf8");
  await assert.rejects(writer.revokeOverride(path, { id: "no-such-id", reason: "Nothing to revoke here." }), code("override_not_revocable"));
  const tomb = await writer.revokeOverride(path, { id: entry.id, reason: "Folder fixed; no longer needed." });
  assert.equal(tomb.revokes, entry.id);
  const once = await readFile(path, "utf8");
  assert.notEqual(once, before);
  await assert.rejects(writer.revokeOverride(path, { id: entry.id, reason: "Folder fixed; no longer needed." }), code("override_not_revocable"));
  assert.equal(await readFile(path, "utf8"), once);
  assert.deepEqual((await writer.read(path)).validation_overrides.map((e) => e["id"]), [entry.id, tomb.id]);
});

test("setSyncStatus refuses a status it does not know before locking", async (t) => {
  const path = await runPath(t, EXAMPLE_A);
  await assert.rejects(new CreationCacheWriter().setSyncStatus(path, "archived" as "synced"), code("validation_failed"));
  assert.deepEqual((await readdir(dirname(path))).sort(), ["creation.json"]);
});

test("the lock is the application's: a creation.json under a held FileLock waits", needs(["python3"]), async (t) => {
  const path = await runPath(t, EXAMPLE_A);
  const holder = startChild(t, PYTHON, [pyScript("hold_lock.py"), path], LOCKER);
  const exited = finished(holder);
  await waitForLine(holder, "locked");
  await assert.rejects(new CreationCacheWriter({ lockTimeoutMs: 200 }).setSyncStatus(path, "synced"), code("lock_timeout"));
  holder.stdin?.end("release\n");
  await exited;
  assert.equal((await new CreationCacheWriter().setSyncStatus(path, "synced")).sync_status, "synced");
});

test("an update waiting for the application's lock is abandoned by its AbortSignal, file untouched", async (t) => {
  const path = await runPath(t, EXAMPLE_A);
  const holder = startChild(t, PYTHON, [pyScript("hold_lock.py"), path], { PYTHONDONTWRITEBYTECODE: "1" });
  const exited = finished(holder);
  await waitForLine(holder, "locked");
  const ac = new AbortController();
  const stop = new Error("operator cancelled");
  const pending = new CreationCacheWriter({ lockTimeoutMs: Infinity }).setSyncStatus(path, "synced", { signal: ac.signal });
  ac.abort(stop);
  await assert.rejects(pending, (err) => err === stop);
  holder.stdin?.end("release\n");
  await exited;
  assert.equal(await readFile(path, "utf8"), EXAMPLE_A);
});

test("of racing creators in one process exactly one wins", async (t) => {
  const path = await runPath(t);
  const writer = new CreationCacheWriter({ durable: false });
  const outcomes = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => writer.create(path, { ...INPUT_A, created_by: `op${i}` })));
  const won = outcomes.flatMap((o) => (o.status === "fulfilled" ? [o.value] : []));
  assert.equal(won.length, 1);
  assert.ok(outcomes.every((o) => o.status === "fulfilled" || code("already_exists")(o.reason)));
  assert.equal((await writer.read(path)).created_by, won[0]?.created_by);
});
