/**
 * SIGHUP (the terminal closed) stops every long-running command as Ctrl-C
 * does: the watch prints its `stopped` line, `log --follow` its `stopped`
 * event, a sync waiting for a lock reports what it did not write; each
 * exits 129 (128 + 1) instead of being killed by the signal.
 */
import assert from "node:assert/strict";
import { appendFile, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { withFileLock } from "exlab-cache";
import { BIN, cli } from "../helpers/cli.js";
import { finished, startChild } from "../helpers/children.js";
import { tempDir } from "../helpers/tmp.js";
import { cachePaths, put } from "../helpers/tree.js";
import { Lines, configText, label, parseLine, waitForFd, watch } from "./_watching.js";

test("sync --watch stopped by SIGHUP prints its stopped line and exits 129", async (t) => {
  const dir = await tempDir(t);
  const lab = join(dir, "lab");
  await mkdir(lab);
  const config = await put(join(dir, "config.yaml"), configText(lab, "One"));
  const { child, out, done } = watch(t, config, false);
  assert.equal(await out.next(), `synced ${config}: 2 equipment entries: 2 created; created CONFOCAL_01, created FLOW_01`);
  child.kill("SIGHUP");
  const result = await done;
  assert.deepEqual([result.code, result.signal, result.stderr], [129, null, ""]);
  assert.equal(await out.next(), `stopped watching ${config}`);
});

test("sync --watch --json: SIGHUP during a pass waiting for a lock reports the entries not written, then stopped (exit 129)", async (t) => {
  const dir = await tempDir(t);
  const lab = join(dir, "lab");
  await mkdir(lab);
  const config = await put(join(dir, "config.yaml"), configText(lab, "Before"));
  const { child, out, done } = watch(t, config, true);
  await out.next();
  const path = cachePaths(lab).equipment;
  const result = await withFileLock(path, async () => {
    await writeFile(config, configText(lab, "After"));
    await waitForFd(child.pid ?? 0, `${path}.lock`);
    child.kill("SIGHUP");
    const last = parseLine(await out.next());
    const stopped = parseLine(await out.next());
    return { last, stopped, exit: await done };
  });
  assert.deepEqual(
    result.last.results?.map((r) => [r.id, r.status, r.errors.map((e) => e.message)]),
    [
      ["CONFOCAL_01", "cancelled", [`${path}: not written: stopped by SIGHUP`]],
      ["FLOW_01", "cancelled", [`${cachePaths(lab, "FLOW_01").equipment}: not written: stopped by SIGHUP`]],
    ],
  );
  assert.deepEqual(result.stopped, { event: "stopped", config });
  assert.deepEqual([result.exit.code, result.exit.signal], [129, null]);
  assert.equal(await label(lab), "Before");
});

test("one-shot sync: SIGHUP while waiting for a held lock reports every entry as cancelled and exits 129", async (t) => {
  const dir = await tempDir(t);
  const lab = join(dir, "lab");
  await mkdir(lab);
  const config = await put(join(dir, "config.yaml"), configText(lab, "Before"));
  assert.equal((await cli(t, ["sync", "--config", config])).code, 0);
  await writeFile(config, configText(lab, "After"));
  const path = cachePaths(lab).equipment;
  const run = await withFileLock(path, async () => {
    const child = startChild(t, process.execPath, [BIN, "sync", "--config", config]);
    const done = finished(child);
    await waitForFd(child.pid ?? 0, `${path}.lock`);
    child.kill("SIGHUP");
    return done;
  });
  assert.deepEqual([run.code, run.signal, run.stderr], [129, null, ""]);
  const flow = cachePaths(lab, "FLOW_01").equipment;
  assert.deepEqual(run.stdout.split("\n"), [
    `cancelled  CONFOCAL_01  ${path}: not written: stopped by SIGHUP [cancelled]`,
    `cancelled  FLOW_01      ${flow}: not written: stopped by SIGHUP [cancelled]`,
    "2 equipment entries: 2 cancelled",
    "",
  ]);
  assert.equal(await label(lab), "Before");
});

test("log --follow --json stopped by SIGHUP prints its stopped event and exits 129", async (t) => {
  const dir = await tempDir(t);
  const a = join(dir, "wizard.a.log");
  await writeFile(a, "2026-04-17T14:00:00Z [INFO ] one\n");
  const child = startChild(t, process.execPath, [BIN, "log", dir, "--follow", "--json"]);
  const out = new Lines(child.stdout as NodeJS.ReadableStream);
  const done = finished(child);
  assert.equal((JSON.parse(await out.next()) as { message: string }).message, "one");
  await appendFile(a, "2026-04-17T14:00:01Z [INFO ] two\n");
  assert.equal((JSON.parse(await out.next()) as { message: string }).message, "two");
  child.kill("SIGHUP");
  assert.deepEqual(JSON.parse(await out.next()), { version: 1, event: "stopped", signal: "SIGHUP" });
  const result = await done;
  assert.deepEqual([result.code, result.signal, result.stderr], [129, null, ""]);
});
