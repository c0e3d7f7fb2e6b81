/**
 * Read while writing (issue 5, point 6): reader processes read one
 * equipment.json in a tight loop, through the library and through a plain
 * readFile, while two writer processes rewrite it thousands of times. No
 * read may fail (no ENOENT once the file exists: the rename replaces it in
 * one step), and every read must be one whole version a writer wrote, never
 * a torn or partial file and never an older version of a writer after a
 * newer one.
 */
import assert from "node:assert/strict";
import { readFile, readdir } from "node:fs/promises";
import { dirname } from "node:path";
import { test } from "node:test";
import { EquipmentCacheWriter, equipmentJsonPath } from "exlab-cache";
import { finished, startChild, waitForLine, workerScript } from "../helpers/children.js";
import { FIRST_SEEN, equipmentBytes, numberedPayload } from "../helpers/versions.js";
import { tempDir } from "../helpers/tmp.js";

const WRITERS = 2;
const REWRITES_EACH = 1000;
const READERS = 2;

test(`read while writing: ${READERS} readers in a tight loop never see a torn, partial, missing or backward version during ${WRITERS * REWRITES_EACH} rewrites`, async (t) => {
  const root = await tempDir(t);
  const id = "CONFOCAL_01";
  const path = equipmentJsonPath(root, id);
  await new EquipmentCacheWriter({ clock: () => new Date(FIRST_SEEN) }).writeEquipment(path, numberedPayload(id, 0, 0));

  const readers = Array.from({ length: READERS }, () => startChild(t, process.execPath, [workerScript("rel-reader"), path, id]));
  const readerDone = readers.map((r) => finished(r));
  await Promise.all(readers.map((r) => waitForLine(r, "ready")));

  const writers = Array.from({ length: WRITERS }, (_, i) =>
    finished(startChild(t, process.execPath, [workerScript("rel-rewriter"), path, id, String(i + 1), String(REWRITES_EACH)])),
  );
  for (const w of await Promise.all(writers)) assert.deepEqual([w.code, w.stdout, w.stderr], [0, "done\n", ""]);
  for (const r of readers) r.stdin?.end();

  const results = await Promise.all(readerDone);
  let distinct = 0;
  for (const r of results) {
    assert.equal(r.code, 0, `reader failed: ${r.stdout}${r.stderr}`);
    const summary = JSON.parse(r.stdout.split("\n").filter(Boolean).at(-1) ?? "{}") as { reads: number; versions: number };
    t.diagnostic(`reader: ${summary.reads} reads, ${summary.versions} distinct versions`);
    distinct = Math.max(distinct, summary.versions);
  }
  // The readers ran during the rewrites, not only before or after them.
  assert.ok(distinct > 2, `the readers saw only ${distinct} versions: they did not overlap the writers`);
  const last = await readFile(path, "utf8");
  assert.ok(
    Array.from({ length: WRITERS }, (_, i) => equipmentBytes(id, i + 1, REWRITES_EACH)).includes(last),
    "the file is not one writer's last version",
  );
  assert.deepEqual((await readdir(dirname(path))).sort(), ["equipment.json", "equipment.json.lock"]);
});
