/**
 * creation.json beside the Python application: its read-mutate-write under
 * filelock.FileLock (Debian's 3.9, 3.29.0 and 4.0.8) racing our updates
 * loses nothing, and a sidecar SQLite has open (filelock's ReadWriteLock)
 * works as our lock, both ways, without our lock writing a byte into it.
 */
import assert from "node:assert/strict";
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { test, type TestContext } from "node:test";
import { CreationCacheWriter, runCreationPath, withFileLock } from "exlab-cache";
import { finished, goTogether, lastLine, startChild, waitForLine, workerScript } from "./helpers/children.js";
import { PYTHON, filelockPeers, pyScript } from "./helpers/filelock.js";
import { tempDir } from "./helpers/tmp.js";

const SEED =
  '{"schema_version":"1.9","created_at":"2026-04-17T14:00:00Z","created_by":"asmith","level":"run","run_kind":"experimental","lims_project":{"uid":"","short_id":"","name_at_creation":"P"},"template":{"name":"t","version":"1.0","source_path":"/t"},"variables":{"laser_nm":488},"paths":{"local":"/l","nas":""}}';

async function seeded(t: TestContext): Promise<string> {
  const path = runCreationPath(await tempDir(t), "CONFOCAL_01", "P", "Run_2026-04-17T14-32");
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, SEED);
  return path;
}

const PER_PROCESS = 12;

for (const peer of filelockPeers()) {
  test(`no lost update: Python processes (filelock ${peer.version}) and ours append overrides to one creation.json`, async (t) => {
    const path = await seeded(t);
    const children = [
      startChild(t, PYTHON, [pyScript("append_overrides.py"), path, String(PER_PROCESS), "py0"], peer.env),
      startChild(t, PYTHON, [pyScript("append_overrides.py"), path, String(PER_PROCESS), "py1"], peer.env),
      startChild(t, process.execPath, [workerScript("creation-append"), path, String(PER_PROCESS), "ts0"]),
      startChild(t, process.execPath, [workerScript("creation-append"), path, String(PER_PROCESS), "ts1"]),
    ];
    for (const r of await goTogether(children)) assert.equal(lastLine(r), "done", r.stderr);
    const record = await new CreationCacheWriter().read(path);
    const reasons = record.validation_overrides.map((e) => e["reason"] as string).sort();
    const expected = ["py0", "py1", "ts0", "ts1"].flatMap((tag) => Array.from({ length: PER_PROCESS }, (_, i) => `appended by ${tag} #${i}`)).sort();
    assert.deepEqual(reasons, expected);
    const ids = record.validation_overrides.map((e) => e["id"]);
    assert.equal(new Set(ids).size, ids.length);
    // Each process's own entries are in its own order: one consistent history.
    for (const tag of ["py0", "py1", "ts0", "ts1"]) {
      const mine = record.validation_overrides.map((e) => e["reason"] as string).filter((r) => r.startsWith(`appended by ${tag} `));
      assert.deepEqual(mine, Array.from({ length: PER_PROCESS }, (_, i) => `appended by ${tag} #${i}`));
    }
    assert.ok((await readFile(path, "utf8")).includes(`"variables":{"laser_nm":488}`));
  });
}

test("a sidecar SQLite holds open (filelock's ReadWriteLock read) still works as our lock, and gets no byte from us", async (t) => {
  const path = await seeded(t);
  const reader = startChild(t, PYTHON, [pyScript("sqlite_sidecar.py"), "hold", path], { PYTHONDONTWRITEBYTECODE: "1" });
  const exited = finished(reader);
  await waitForLine(reader, "held");
  const sidecar = await readFile(`${path}.lock`);
  const writer = new CreationCacheWriter({ lockTimeoutMs: 10_000 });
  await writer.setSyncStatus(path, "synced");
  await writer.addOverride(path, { problem_class: "orphan", reason: "Kept on purpose for the audit." });
  assert.deepEqual(await readFile(`${path}.lock`), sidecar);
  assert.equal((await stat(`${path}.lock`)).size, 0);
  reader.stdin?.end("\n");
  assert.match((await exited).stdout, /released/);
  // The application's next snapshot read still finds a database there.
  const again = await finished(startChild(t, PYTHON, [pyScript("sqlite_sidecar.py"), "read", path], { PYTHONDONTWRITEBYTECODE: "1" }));
  assert.equal(again.stdout.trim(), "read ok", again.stdout + again.stderr);
  assert.equal((await writer.read(path)).sync_status, "synced");
});

test("while our lock is held, the application's SQLite snapshot read goes through, and the sidecar stays empty", async (t) => {
  const path = await seeded(t);
  const writer = new CreationCacheWriter();
  await writer.setSyncStatus(path, "failed");
  const probe = await withFileLock(path, () =>
    finished(startChild(t, PYTHON, [pyScript("sqlite_sidecar.py"), "read", path], { PYTHONDONTWRITEBYTECODE: "1" })),
  );
  assert.equal(probe.stdout.trim(), "read ok", probe.stdout + probe.stderr);
  await writer.setSyncStatus(path, "synced");
  assert.equal((await stat(`${path}.lock`)).size, 0);
});
