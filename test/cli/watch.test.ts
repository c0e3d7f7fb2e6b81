import assert from "node:assert/strict";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { withFileLock } from "exlab-cache";
import { tempDir } from "../helpers/tmp.js";
import { cachePaths, put } from "../helpers/tree.js";
import { configText, label, stopInLockWait, waitForFd, watch, type PassJson, parseLine } from "./_watching.js";

test("sync --watch --json: syncs, re-syncs after in-place and rename-over saves, reports a half-saved file and waits, exits 0 on SIGTERM", async (t) => {
  const dir = await tempDir(t);
  const lab = join(dir, "lab");
  await mkdir(lab);
  const config = await put(join(dir, "config.yaml"), configText(lab, "Confocal 1"));
  const { child, out, done } = watch(t, config, true);
  // An in-place write truncates, then writes: a busy machine may let the
  // watch read the empty file in between, which it rightly reports. Those
  // reports are passed over; any other line is checked.
  const pass = async (): Promise<PassJson> => {
    for (;;) {
      const doc = parseLine(await out.next());
      if (!(doc.event === "error" && doc.error?.code === "config_invalid")) return doc;
    }
  };

  const first = await pass();
  assert.deepEqual(first.results?.map((r) => [r.id, r.status]), [["CONFOCAL_01", "created"], ["FLOW_01", "created"]]);

  await writeFile(config, configText(lab, "In place"));
  const inPlace = await pass();
  assert.equal(inPlace.event, "sync");
  assert.deepEqual(inPlace.results?.map((r) => [r.id, r.status, r.changed]), [["CONFOCAL_01", "updated", ["label"]], ["FLOW_01", "unchanged", []]]);
  assert.equal(await label(lab), "In place");

  // An editor's save: a new file renamed over the old one (a new inode).
  await writeFile(join(dir, ".config.yaml.swp"), configText(lab, "Renamed over"));
  await rename(join(dir, ".config.yaml.swp"), config);
  const renamed = await pass();
  assert.deepEqual(renamed.results?.map((r) => [r.id, r.status]), [["CONFOCAL_01", "updated"], ["FLOW_01", "unchanged"]]);
  assert.equal(await label(lab), "Renamed over");

  // Half saved: cut in the middle of a quoted string.
  const whole = configText(lab, "Never written");
  await writeFile(config, whole.slice(0, whole.indexOf("Never") + 3));
  const broken = await pass();
  assert.deepEqual([broken.event, broken.error?.code], ["error", "yaml_syntax_error"]);
  assert.equal(await label(lab), "Renamed over");

  await writeFile(config, configText(lab, "Fixed"));
  const fixed = await pass();
  assert.deepEqual(fixed.results?.map((r) => r.status), ["updated", "unchanged"]);
  assert.equal(await label(lab), "Fixed");

  child.kill("SIGTERM");
  assert.deepEqual(await pass(), { event: "stopped", config });
  const result = await done;
  assert.deepEqual([result.code, result.signal], [0, null]);
});

test("sync --watch prints one line per pass for people and exits 130 on SIGINT, as any command stopped by Ctrl-C", async (t) => {
  const dir = await tempDir(t);
  const lab = join(dir, "lab");
  await mkdir(lab);
  const config = await put(join(dir, "config.yaml"), configText(lab, "Confocal 1"));
  const { child, out, err, done } = watch(t, config, false);
  assert.equal(await out.next(), `synced ${config}: 2 equipment entries: 2 created; created CONFOCAL_01, created FLOW_01`);
  await writeFile(config, configText(lab, "Two"));
  assert.equal(await out.next(), `synced ${config}: 2 equipment entries: 1 updated, 1 unchanged; updated CONFOCAL_01 (label)`);
  await writeFile(config, "equipment:\n  - id: [unclosed\n");
  let line = await err.next();
  // As above: the empty file between truncation and write may be reported first.
  while (line.endsWith("Expected the top level to be a mapping, got missing [config_invalid]")) line = await err.next();
  assert.match(line, /^error: .*config\.yaml:\d+:\d+: YAML syntax error: .* \[yaml_syntax_error\]$/);
  await writeFile(config, configText(lab, "Two"));
  assert.equal(await out.next(), `synced ${config}: 2 equipment entries: 2 unchanged`);
  child.kill("SIGINT");
  assert.equal(await out.next(), `stopped watching ${config}`);
  assert.deepEqual([(await done).code, (await done).signal], [130, null]);
});

test("a signal during a pass waiting for a lock abandons the wait, writes nothing more, reports what was not synced and exits 0", async (t) => {
  const result = await stopInLockWait(t, "SIGTERM");
  const { lab, config, path } = result;
  assert.deepEqual(
    result.last.results?.map((r) => [r.id, r.status, r.errors.map((e) => [e.code, e.message])]),
    [
      ["CONFOCAL_01", "cancelled", [["cancelled", `${path}: not written: stopped by SIGTERM`]]],
      ["FLOW_01", "cancelled", [["cancelled", `${cachePaths(lab, "FLOW_01").equipment}: not written: stopped by SIGTERM`]]],
    ],
  );
  assert.deepEqual(result.stopped, { event: "stopped", config });
  assert.deepEqual([result.exit.code, result.exit.signal], [0, null]);
  assert.equal(await label(lab), "Before");
});

test("sync --watch for people: a pass cut short by SIGTERM says which entries were not written and why, as the one-shot table does", async (t) => {
  const dir = await tempDir(t);
  const lab = join(dir, "lab");
  await mkdir(lab);
  const config = await put(join(dir, "config.yaml"), configText(lab, "Before"));
  const { child, out, done } = watch(t, config, false);
  await out.next();
  const flow = cachePaths(lab, "FLOW_01").equipment;
  // FLOW_01's lock is held: CONFOCAL_01 is written, then the pass waits.
  const lines = await withFileLock(flow, async () => {
    await writeFile(config, configText(lab, "After"));
    await waitForFd(child.pid ?? 0, `${flow}.lock`);
    child.kill("SIGTERM");
    return [await out.next(), await out.next()];
  });
  assert.deepEqual(lines, [
    `synced ${config}: 2 equipment entries: 1 updated, 1 cancelled; updated CONFOCAL_01 (label), cancelled FLOW_01 (not written: stopped by SIGTERM)`,
    `stopped watching ${config}`,
  ]);
  assert.deepEqual([(await done).code, (await done).signal], [0, null]);
  assert.equal(await label(lab), "After");
});
