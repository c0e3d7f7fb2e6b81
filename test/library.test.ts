/**
 * checkTree, listTree and syncFromConfig from the package entry: the same
 * documents the CLI prints with --json, progress through a callback, and an
 * AbortSignal that stops them.
 */
import assert from "node:assert/strict";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { InputError, REPORT_VERSION, StoppedError, checkTree, listTree, syncFromConfig, withFileLock, type ScanProgress, type SyncResult } from "exlab-cache";
import { cli, stdoutJson } from "./helpers/cli.js";
import { tempDir } from "./helpers/tmp.js";
import { cachePaths, equipmentRecord, put, validTree } from "./helpers/tree.js";
import { configText } from "./cli/_watching.js";

/** A tree with one of each kind of problem, so the reports are not empty. */
async function brokenTree(root: string): Promise<void> {
  await validTree(root);
  await put(cachePaths(root, "FLOW_01").equipment, equipmentRecord({ id: "OTHER" }));
  await put(join(root, "FLOW_01", ".exlab-wizard", "equipment.json.Ab12.tmp"), "");
  await mkdir(join(root, "SPIM_01"));
}

test("checkTree and listTree return exactly what check --json and ls --json print, with a version", async (t) => {
  const root = await tempDir(t);
  await brokenTree(root);
  const check = await checkTree(root);
  assert.equal(check.version, REPORT_VERSION);
  assert.deepEqual(
    check.findings.map((f) => f.rule),
    ["id_mismatch", "stale_temp_file", "missing_equipment_json"],
  );
  const checkRun = await cli(t, ["check", root, "--json"]);
  assert.equal(checkRun.code, 1);
  assert.deepEqual({ version: REPORT_VERSION, ...(stdoutJson(checkRun) as object) }, check);

  const list = await listTree(root);
  assert.deepEqual([list.version, list.problems, list.equipment.map((e) => e.id)], [REPORT_VERSION, 3, ["CONFOCAL_01", "FLOW_01", "SPIM_01"]]);
  const lsRun = await cli(t, ["ls", root, "--json"]);
  assert.deepEqual({ version: REPORT_VERSION, ...(stdoutJson(lsRun) as object) }, list);
});

test("syncFromConfig returns what sync --json prints (a dry run of the same config, then the write)", async (t) => {
  const dir = await tempDir(t);
  const lab = join(dir, "lab");
  await mkdir(lab);
  const config = await put(join(dir, "config.yaml"), configText(lab, "Lib"));
  const dry = await syncFromConfig(config, { dryRun: true });
  const dryRun = await cli(t, ["sync", "--config", config, "--dry-run", "--json"]);
  assert.deepEqual({ version: REPORT_VERSION, ...(stdoutJson(dryRun) as object) }, dry);
  assert.deepEqual(dry.results.map((r) => r.status), ["created", "created"]);

  const progress: [number, number, string][] = [];
  const report = await syncFromConfig(config, { onProgress: (p) => progress.push([p.done, p.total, p.result.status]) });
  assert.equal(report.version, REPORT_VERSION);
  assert.deepEqual(progress, [[1, 2, "created"], [2, 2, "created"]]);
  // The CLI now finds them as the library left them.
  const again = await cli(t, ["sync", "--config", config, "--json"]);
  const printed = stdoutJson(again) as { results: SyncResult[] };
  assert.deepEqual(printed.results.map((r) => [r.status, r.record]), report.results.map((r) => ["unchanged", r.record]));
});

test("checkTree and listTree report walk progress and stop on an AbortSignal with its reason", async (t) => {
  const root = await tempDir(t);
  await brokenTree(root);
  const seen: ScanProgress[] = [];
  await checkTree(root, { onProgress: (p) => seen.push(p) });
  assert.ok(seen.length > 0);
  const last = seen.at(-1);
  assert.ok((last?.directories ?? 0) >= 3 && (last?.files ?? 0) >= 2, JSON.stringify(last));

  const reason = new Error("enough");
  await assert.rejects(checkTree(root, { signal: AbortSignal.abort(reason) }), (e) => e === reason);
  // Aborted from inside the walk, after its first read: no report comes back.
  const controller = new AbortController();
  await assert.rejects(
    listTree(root, { concurrency: 1, signal: controller.signal, onProgress: () => controller.abort(reason) }),
    (e) => e === reason,
  );
});

test("checkTree of a missing root throws the structured error the CLI prints", async (t) => {
  const root = join(await tempDir(t), "nope");
  await assert.rejects(checkTree(root), (e) => e instanceof InputError && e.code === "not_found" && e.message === `${root}: no such folder`);
});

test("syncFromConfig stopped by its signal while waiting for a lock reports the entries not written as cancelled", async (t) => {
  const dir = await tempDir(t);
  const lab = join(dir, "lab");
  await mkdir(lab);
  const config = await put(join(dir, "config.yaml"), configText(lab, "Before"));
  await syncFromConfig(config);
  await writeFile(config, configText(lab, "After"));
  const controller = new AbortController();
  const path = cachePaths(lab).equipment;
  const report = await withFileLock(path, async () => {
    const pending = syncFromConfig(config, { signal: controller.signal });
    // Give the sync a turn to reach the held lock; the abort is what ends it either way.
    await new Promise((r) => setImmediate(r));
    controller.abort(new StoppedError("SIGTERM"));
    return pending;
  });
  assert.deepEqual(report.results.map((r) => [r.id, r.status, r.errors[0]?.code]), [["CONFOCAL_01", "cancelled", "cancelled"], ["FLOW_01", "cancelled", "cancelled"]]);
  assert.equal((JSON.parse(await readFile(path, "utf8")) as { label: string }).label, "Before");
});
