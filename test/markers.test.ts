import assert from "node:assert/strict";
import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { test } from "node:test";
import {
  EquipmentCacheWriter,
  SchemaMajorMismatchError,
  ValidationError,
  runsMarkerPath,
  testRunsMarkerPath,
  type CacheWarning,
} from "exlab-cache";
import { finished, startChild, waitForLine, workerScript } from "./helpers/children.js";
import { needs } from "./helpers/capabilities.js";
import { PYTHON, filelockPeers, pyScript } from "./helpers/filelock.js";
import { FakeClock, tempDir } from "./helpers/tmp.js";

const payload = { project: "PROJ-0042", equipment: "CONFOCAL_01" };

test("the first marker write creates the exact bytes; later writes change nothing, byte for byte", async (t) => {
  const root = await tempDir(t);
  const clock = new FakeClock("2026-04-17T14:00:00Z");
  const writer = new EquipmentCacheWriter({ clock: clock.now });
  const path = testRunsMarkerPath(root, "CONFOCAL_01", "PROJ-0042");
  assert.equal(await writer.writeTestRunsMarker(path, payload), true);
  const bytes = await readFile(path, "utf8");
  assert.equal(
    bytes,
    '{"schema_version":"1.0","run_kind":"test","created_at":"2026-04-17T14:00:00Z","project":"PROJ-0042","equipment":"CONFOCAL_01"}',
  );
  clock.advance(60);
  assert.equal(await writer.writeTestRunsMarker(path, { ...payload, created_at: "2030-01-01T00:00:00Z" }), false);
  assert.equal(await readFile(path, "utf8"), bytes);
  assert.deepEqual((await readdir(dirname(path))).sort(), ["test_runs.json", "test_runs.json.lock"]);
});

test("runs.json is the experimental marker, with created_at taken from the payload when given", async (t) => {
  const root = await tempDir(t);
  const writer = new EquipmentCacheWriter();
  const path = runsMarkerPath(root, "CONFOCAL_01", "PROJ-0042");
  assert.match(path, /CONFOCAL_01\/PROJ-0042\/Runs\/\.exlab-wizard\/runs\.json$/);
  assert.equal(await writer.writeRunsMarker(path, { ...payload, created_at: "2026-04-17T14:00:00Z", run_kind: "experimental" }), true);
  assert.deepEqual(await writer.readRunsMarker(path), {
    schema_version: "1.0",
    run_kind: "experimental",
    created_at: "2026-04-17T14:00:00Z",
    project: "PROJ-0042",
    equipment: "CONFOCAL_01",
  });
  await assert.rejects(writer.readTestRunsMarker(path), (err: unknown) => {
    assert.ok(err instanceof ValidationError);
    assert.deepEqual(err.issues.map((i) => i.path), ["run_kind"]);
    return true;
  });
});

test("a marker written by the Python application (no run_kind) reads as its own kind", async (t) => {
  const root = await tempDir(t);
  const writer = new EquipmentCacheWriter();
  const path = testRunsMarkerPath(root, "CONFOCAL_01", "PROJ-0042");
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, '{"schema_version":"1.0","created_at":"2026-04-17T14:00:00Z","project":"PROJ-0042","equipment":"CONFOCAL_01"}');
  assert.equal((await writer.readTestRunsMarker(path)).run_kind, "test");
  // And its bytes are kept: the marker is never rewritten.
  assert.equal(await writer.writeTestRunsMarker(path, payload), false);
  assert.doesNotMatch(await readFile(path, "utf8"), /run_kind/);
});

test("marker payloads are validated before anything touches the disk", async (t) => {
  const root = await tempDir(t);
  const writer = new EquipmentCacheWriter();
  const path = testRunsMarkerPath(root, "CONFOCAL_01", "PROJ-0042");
  await assert.rejects(
    writer.writeTestRunsMarker(path, { project: "a/b", equipment: "x", created_at: "yesterday", run_kind: "experimental" } as never),
    (err: unknown) => {
      assert.ok(err instanceof ValidationError);
      assert.deepEqual(err.issues.map((i) => i.path).sort(), ["created_at", "equipment", "project", "run_kind"]);
      return true;
    },
  );
  assert.deepEqual(await readdir(root), []);
});

test("reading a marker of another major is refused", async (t) => {
  const root = await tempDir(t);
  const writer = new EquipmentCacheWriter();
  const path = testRunsMarkerPath(root, "CONFOCAL_01", "PROJ-0042");
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, '{"schema_version":"2.1","run_kind":"test"}');
  await assert.rejects(writer.readTestRunsMarker(path), (err: unknown) => {
    assert.ok(err instanceof SchemaMajorMismatchError);
    assert.equal(err.expectedMajor, 1);
    assert.equal(err.found, "2.1");
    return true;
  });
});

test("stale temp files are swept by the next marker writer, also when the marker exists", async (t) => {
  const root = await tempDir(t);
  const warnings: CacheWarning[] = [];
  const writer = new EquipmentCacheWriter({ onWarning: (w) => warnings.push(w) });
  const path = testRunsMarkerPath(root, "CONFOCAL_01", "PROJ-0042");
  assert.equal(await writer.writeTestRunsMarker(path, payload), true);
  await writeFile(`${path}.k2Jd9a_x.tmp`, "half a marker");
  await writeFile(`${path}.notours`, "keep me");
  assert.equal(await writer.writeTestRunsMarker(path, payload), false);
  assert.deepEqual((await readdir(dirname(path))).sort(), ["test_runs.json", "test_runs.json.lock", "test_runs.json.notours"]);
  assert.deepEqual(warnings.map((w) => w.code), ["stale_temp_removed"]);
});

test("processes racing to create the first marker: exactly one wins, and its bytes are on disk", async (t) => {
  const root = await tempDir(t);
  const path = testRunsMarkerPath(root, "CONFOCAL_01", "PROJ-0042");
  const racers = Array.from({ length: 6 }, (_, i) => {
    const child = startChild(t, process.execPath, [workerScript("marker-race"), path, "test", `P${i}`]);
    return { child, done: finished(child), ready: waitForLine(child, "ready") };
  });
  await Promise.all(racers.map((r) => r.ready));
  for (const r of racers) r.child.stdin?.write("go\n");
  const results = await Promise.all(racers.map((r) => r.done));
  for (const r of results) assert.equal(r.code, 0, r.stderr);
  const winners = results.flatMap((r, i) => (r.stdout.trim().endsWith("true") ? [i] : []));
  assert.equal(winners.length, 1, JSON.stringify(results.map((r) => r.stdout)));
  const marker = await new EquipmentCacheWriter().readTestRunsMarker(path);
  assert.equal(marker.project, `P${winners[0]}`);
});

test("async callers racing in one process: exactly one wins", async (t) => {
  const root = await tempDir(t);
  const writer = new EquipmentCacheWriter();
  const path = runsMarkerPath(root, "CONFOCAL_01", "PROJ-0042");
  const results = await Promise.all(Array.from({ length: 25 }, () => writer.writeRunsMarker(path, payload)));
  assert.equal(results.filter(Boolean).length, 1);
});

for (const peer of filelockPeers()) {
  test(`our processes and Python filelock ${peer.version} processes racing for the first marker: exactly one wins`, needs(peer.needs), async (t) => {
    const root = await tempDir(t);
    const path = testRunsMarkerPath(root, "CONFOCAL_01", "PROJ-0042");
    const racers = Array.from({ length: 6 }, (_, i) => {
      const child =
        i % 2 === 0
          ? startChild(t, process.execPath, [workerScript("marker-race"), path, "test", `P${i}`])
          : startChild(t, PYTHON, [pyScript("marker_race.py"), path, `P${i}`], peer.env);
      return { child, done: finished(child), ready: waitForLine(child, "ready") };
    });
    await Promise.all(racers.map((r) => r.ready));
    for (const r of racers) r.child.stdin?.write("go\n");
    const results = await Promise.all(racers.map((r) => r.done));
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    const winners = results.flatMap((r, i) => (r.stdout.trim().endsWith("true") ? [i] : []));
    assert.equal(winners.length, 1, JSON.stringify(results.map((r) => r.stdout)));
    const marker = await new EquipmentCacheWriter().readTestRunsMarker(path);
    assert.equal(marker.project, `P${winners[0]}`);
  });
}
