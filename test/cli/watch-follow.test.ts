import assert from "node:assert/strict";
import { chmod, mkdir, rename, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { tempDir } from "../helpers/tmp.js";
import { put } from "../helpers/tree.js";
import { configText, label, nextPass, watch, type PassJson } from "./_watching.js";

const statuses = (doc: PassJson): string[][] => doc.results?.map((r) => [r.id, r.status]) ?? [["event", doc.event, doc.error?.code ?? ""]];
const UPDATED = [["CONFOCAL_01", "updated"], ["FLOW_01", "unchanged"]];

test("sync --watch on a symbolic link follows saves to its target, rename-over saves in the target's folder, and the link re-pointed", async (t) => {
  const dir = await tempDir(t);
  const lab = join(dir, "lab");
  await mkdir(lab);
  const target = await put(join(dir, "real", "config.yaml"), configText(lab, "One"));
  const config = join(dir, "etc", "config.yaml");
  await mkdir(join(dir, "etc"));
  await symlink("../real/config.yaml", config);
  const { child, out, done } = watch(t, config, true);
  assert.deepEqual(statuses(await nextPass(out)), [["CONFOCAL_01", "created"], ["FLOW_01", "created"]]);

  await writeFile(target, configText(lab, "Target saved in place"));
  const inPlace = await nextPass(out);
  assert.deepEqual(statuses(inPlace), UPDATED);
  assert.equal(inPlace.config, config);
  assert.equal(await label(lab), "Target saved in place");

  // An editor's save of the target: a new file renamed over it, in the target's folder.
  await writeFile(join(dir, "real", ".config.yaml.swp"), configText(lab, "Target renamed over"));
  await rename(join(dir, "real", ".config.yaml.swp"), target);
  assert.deepEqual(statuses(await nextPass(out)), UPDATED);
  assert.equal(await label(lab), "Target renamed over");

  // `ln -sfn`: a new link renamed over the old one, pointing elsewhere.
  const other = await put(join(dir, "other", "config.yaml"), configText(lab, "Other target"));
  await symlink(other, join(dir, "etc", ".config.yaml.new"));
  await rename(join(dir, "etc", ".config.yaml.new"), config);
  assert.deepEqual(statuses(await nextPass(out)), UPDATED);
  assert.equal(await label(lab), "Other target");

  await writeFile(other, configText(lab, "Other target saved"));
  assert.deepEqual(statuses(await nextPass(out)), UPDATED);
  assert.equal(await label(lab), "Other target saved");

  child.kill("SIGTERM");
  assert.deepEqual(await nextPass(out), { event: "stopped", config });
  assert.equal((await done).code, 0);
});

test("sync --watch follows its folder when it is renamed away and replaced, or deleted and made again", async (t) => {
  const dir = await tempDir(t);
  const lab = join(dir, "lab");
  await mkdir(lab);
  const etc = join(dir, "etc");
  const config = await put(join(etc, "config.yaml"), configText(lab, "One"));
  const { child, out, done } = watch(t, config, true);
  assert.deepEqual(statuses(await nextPass(out)), [["CONFOCAL_01", "created"], ["FLOW_01", "created"]]);

  // A deployment that swaps in a new folder: the watched one is renamed away.
  await put(join(dir, "etc.new", "config.yaml"), configText(lab, "Replaced folder"));
  await rename(etc, join(dir, "etc.old"));
  await rename(join(dir, "etc.new"), etc);
  assert.deepEqual(statuses(await nextPass(out)), UPDATED);
  assert.equal(await label(lab), "Replaced folder");
  await writeFile(config, configText(lab, "Saved in the new folder"));
  assert.deepEqual(statuses(await nextPass(out)), UPDATED);
  assert.equal(await label(lab), "Saved in the new folder");

  await rm(etc, { recursive: true });
  await put(config, configText(lab, "Folder made again"));
  assert.deepEqual(statuses(await nextPass(out)), UPDATED);
  assert.equal(await label(lab), "Folder made again");
  await writeFile(config, configText(lab, "Saved in the folder made again"));
  assert.deepEqual(statuses(await nextPass(out)), UPDATED);
  assert.equal(await label(lab), "Saved in the folder made again");

  child.kill("SIGTERM");
  assert.deepEqual(await nextPass(out), { event: "stopped", config });
  assert.equal((await done).code, 0);
});

test("sync --watch exits 2 with one line naming the folder when the folder put in place of its own cannot be watched", async (t) => {
  const dir = await tempDir(t);
  // The watch runs as an unprivileged account (nobody when the tests are root).
  const asRoot = process.getuid?.() === 0;
  const command = asRoot ? { file: "setpriv", args: ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath] } : undefined;
  await chmod(dir, 0o755);
  const lab = join(dir, "lab");
  await mkdir(lab);
  await chmod(lab, 0o777);
  const etc = join(dir, "etc");
  const config = await put(join(etc, "config.yaml"), configText(lab, "One"));
  const { out, err, done } = watch(t, config, false, command);
  assert.equal(await out.next(), `synced ${config}: 2 equipment entries: 2 created; created CONFOCAL_01, created FLOW_01`);

  // The new folder may be neither listed nor searched by the watch's account.
  await put(join(dir, "etc.new", "config.yaml"), configText(lab, "Unreadable"));
  await chmod(join(dir, "etc.new"), 0o000);
  t.after(() => chmod(etc, 0o755).catch(() => undefined));
  await rename(etc, join(dir, "etc.old"));
  await rename(join(dir, "etc.new"), etc);
  let line = await err.next();
  // The moment between the two renames may be reported: the file is missing.
  while (line.endsWith("[not_found]")) line = await err.next();
  assert.equal(line, `error: ${etc}: cannot watch it for saves of the config (EACCES) [watch_failed]`);
  const result = await done;
  assert.deepEqual([result.code, result.signal], [2, null]);
  assert.equal(await label(lab), "One");
});
