/**
 * `sync --watch` on a config reached through symbolic links at any depth of
 * its path: a re-pointed folder link (the "current release" layout), a
 * Kubernetes-style `..data` swap, a link to a link and a link inside a
 * linked folder. Each change is picked up at once, and later saves through
 * the new target are followed. The real binary, real links, and the real
 * `ln` and `mv -T` where a deployment would use them.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdir, rename, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { tempDir } from "../helpers/tmp.js";
import { put } from "../helpers/tree.js";
import { configText, label, nextPass, watch, type PassJson } from "./_watching.js";

const statuses = (doc: PassJson): string[][] => doc.results?.map((r) => [r.id, r.status]) ?? [["event", doc.event, doc.error?.code ?? ""]];
const CREATED = [["CONFOCAL_01", "created"], ["FLOW_01", "created"]];
const UPDATED = [["CONFOCAL_01", "updated"], ["FLOW_01", "unchanged"]];

/** `ln -s <target> <link>.new && mv -T <link>.new <link>`: a link re-pointed in one rename. */
function repoint(folder: string, link: string, target: string): void {
  execFileSync("ln", ["-s", target, `${link}.new`], { cwd: folder });
  execFileSync("mv", ["-T", `${link}.new`, link], { cwd: folder });
}

test("sync --watch through a re-pointed release folder link (current -> releases/v1, re-pointed with mv -T) follows the new release", async (t) => {
  const dir = await tempDir(t);
  const lab = join(dir, "lab");
  await mkdir(lab);
  await put(join(dir, "releases", "v1", "config.yaml"), configText(lab, "Release 1"));
  const v2 = await put(join(dir, "releases", "v2", "config.yaml"), configText(lab, "Release 2"));
  await symlink("releases/v1", join(dir, "current"));
  const config = join(dir, "current", "config.yaml");
  const { child, out, done } = watch(t, config, true);
  assert.deepEqual(statuses(await nextPass(out)), CREATED);

  repoint(dir, "current", "releases/v2");
  assert.deepEqual(statuses(await nextPass(out)), UPDATED);
  assert.equal(await label(lab), "Release 2");
  // A later save through the new release is seen too.
  await writeFile(v2, configText(lab, "Release 2 saved"));
  assert.deepEqual(statuses(await nextPass(out)), UPDATED);
  assert.equal(await label(lab), "Release 2 saved");
  // The old release is no longer the config: going back to it is a change again.
  repoint(dir, "current", "releases/v1");
  assert.deepEqual(statuses(await nextPass(out)), UPDATED);
  assert.equal(await label(lab), "Release 1");

  child.kill("SIGTERM");
  assert.deepEqual(await nextPass(out), { event: "stopped", config });
  assert.equal((await done).code, 0);
});

test("sync --watch on a Kubernetes-style mounted config follows each ..data swap, the old timestamped folder left in place", async (t) => {
  const dir = await tempDir(t);
  const lab = join(dir, "lab");
  await mkdir(lab);
  const volume = join(dir, "volume");
  await put(join(volume, "..2026_01_01_00_00_00.1", "config.yaml"), configText(lab, "Map 1"));
  await symlink("..2026_01_01_00_00_00.1", join(volume, "..data"));
  await symlink("..data/config.yaml", join(volume, "config.yaml"));
  const config = join(volume, "config.yaml");
  const { child, out, done } = watch(t, config, true);
  assert.deepEqual(statuses(await nextPass(out)), CREATED);

  // The kubelet's update: a new timestamped folder, a `..data_tmp` link to
  // it, renamed over `..data`. Here the old folder is not deleted, so no
  // event on the old files themselves tells of the swap.
  for (const [n, text] of [[2, "Map 2"], [3, "Map 3"]] as const) {
    const stamp = `..2026_01_01_00_00_00.${n}`;
    await put(join(volume, stamp, "config.yaml"), configText(lab, text));
    await symlink(stamp, join(volume, "..data_tmp"));
    await rename(join(volume, "..data_tmp"), join(volume, "..data"));
    assert.deepEqual(statuses(await nextPass(out)), UPDATED);
    assert.equal(await label(lab), text);
  }
  await writeFile(join(volume, "..2026_01_01_00_00_00.3", "config.yaml"), configText(lab, "Map 3 saved"));
  assert.deepEqual(statuses(await nextPass(out)), UPDATED);
  assert.equal(await label(lab), "Map 3 saved");

  child.kill("SIGTERM");
  assert.deepEqual(await nextPass(out), { event: "stopped", config });
  assert.equal((await done).code, 0);
});

test("sync --watch follows a link to a link, a link inside a linked folder, and the folder link re-pointed", async (t) => {
  const dir = await tempDir(t);
  const lab = join(dir, "lab");
  await mkdir(lab);
  // etc -> site/etc (a folder link); site/etc/config.yaml -> ../../store/a.yaml
  // (a link inside the linked folder); store/a.yaml -> ../versions/a1.yaml (a link to a link).
  await put(join(dir, "versions", "a1.yaml"), configText(lab, "A1"));
  await put(join(dir, "versions", "a2.yaml"), configText(lab, "A2"));
  await put(join(dir, "store", "b.yaml"), configText(lab, "B"));
  await symlink("../versions/a1.yaml", join(dir, "store", "a.yaml"));
  await mkdir(join(dir, "site", "etc"), { recursive: true });
  await symlink("../../store/a.yaml", join(dir, "site", "etc", "config.yaml"));
  const other = await put(join(dir, "site2", "etc", "config.yaml"), configText(lab, "Other site"));
  await symlink("site/etc", join(dir, "etc"));
  const config = join(dir, "etc", "config.yaml");
  const { child, out, done } = watch(t, config, true);
  assert.deepEqual(statuses(await nextPass(out)), CREATED);
  assert.equal(await label(lab), "A1");

  repoint(join(dir, "store"), "a.yaml", "../versions/a2.yaml");
  assert.deepEqual(statuses(await nextPass(out)), UPDATED);
  assert.equal(await label(lab), "A2");

  repoint(join(dir, "site", "etc"), "config.yaml", "../../store/b.yaml");
  assert.deepEqual(statuses(await nextPass(out)), UPDATED);
  assert.equal(await label(lab), "B");

  repoint(dir, "etc", "site2/etc");
  assert.deepEqual(statuses(await nextPass(out)), UPDATED);
  assert.equal(await label(lab), "Other site");
  await writeFile(other, configText(lab, "Other site saved"));
  assert.deepEqual(statuses(await nextPass(out)), UPDATED);
  assert.equal(await label(lab), "Other site saved");

  child.kill("SIGTERM");
  assert.deepEqual(await nextPass(out), { event: "stopped", config });
  assert.equal((await done).code, 0);
});
