import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { withFileLock } from "exlab-cache";
import { BIN } from "../helpers/cli.js";
import { finished, startChild } from "../helpers/children.js";
import { tempDir } from "../helpers/tmp.js";
import { cachePaths } from "../helpers/tree.js";
import { label, syncedLab, waitForFd } from "./_watching.js";

interface Report {
  results: { id: string; status: string; errors: { code: string; message: string; details?: { signal?: string; path?: string } }[] }[];
}

test("one-shot sync: SIGTERM while waiting for a held lock abandons the wait, writes nothing, reports every entry not synced and exits 143", async (t) => {
  const { lab, config } = await syncedLab(t);
  const path = cachePaths(lab).equipment;
  // Held until the sync has exited: it must not wait for the lock.
  const run = await withFileLock(path, async () => {
    const child = startChild(t, process.execPath, [BIN, "sync", "--config", config, "--json"]);
    const done = finished(child);
    await waitForFd(child.pid ?? 0, `${path}.lock`);
    child.kill("SIGTERM");
    return done;
  });
  assert.deepEqual([run.code, run.signal, run.stderr], [143, null, ""]);
  const report = JSON.parse(run.stdout) as Report;
  assert.deepEqual(
    report.results.map((r) => [r.id, r.status, r.errors]),
    [
      ["CONFOCAL_01", "cancelled", [{ code: "cancelled", message: `${path}: not written: stopped by SIGTERM`, details: { signal: "SIGTERM", path } }]],
      ["FLOW_01", "cancelled", [{ code: "cancelled", message: `${cachePaths(lab, "FLOW_01").equipment}: not written: stopped by SIGTERM`, details: { signal: "SIGTERM", path: cachePaths(lab, "FLOW_01").equipment } }]],
    ],
  );
  assert.equal(await label(lab), "Before");
});

test("one-shot sync for people: SIGINT while waiting for a lock lists what was written and what was not (exit 130)", async (t) => {
  const { lab, config } = await syncedLab(t);
  const flow = cachePaths(lab, "FLOW_01").equipment;
  // The second entry's lock is held: the first is written before the signal.
  const run = await withFileLock(flow, async () => {
    const child = startChild(t, process.execPath, [BIN, "sync", "--config", config]);
    const done = finished(child);
    await waitForFd(child.pid ?? 0, `${flow}.lock`);
    child.kill("SIGINT");
    return done;
  });
  assert.deepEqual([run.code, run.signal, run.stderr], [130, null, ""]);
  assert.deepEqual(run.stdout.split("\n"), [
    `updated    CONFOCAL_01  label  ${cachePaths(lab).equipment}`,
    `cancelled  FLOW_01      ${flow}: not written: stopped by SIGINT [cancelled]`,
    "2 equipment entries: 1 updated, 1 cancelled",
    "",
  ]);
  assert.equal(await label(lab), "After");
});

for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
  test(`a one-shot command without anything to wind down (mark-test-runs waiting for a lock) exits ${code} on ${signal}`, async (t) => {
    const dir = await tempDir(t);
    const lab = join(dir, "lab");
    await mkdir(join(lab, "CONFOCAL_01"), { recursive: true });
    const marker = cachePaths(lab).testRuns;
    const run = await withFileLock(marker, async () => {
      const child = startChild(t, process.execPath, [BIN, "mark-test-runs", "--root", lab, "--equipment", "CONFOCAL_01", "--project", "PROJ-0042"]);
      const done = finished(child);
      await waitForFd(child.pid ?? 0, `${marker}.lock`);
      child.kill(signal);
      return done;
    });
    assert.deepEqual([run.code, run.signal, run.stdout, run.stderr], [code, null, "", ""]);
  });
}
