/**
 * Every public entry point that takes a path refuses `""`, a non-string and
 * a NUL byte with `validation_failed` (field `path`) before the disk is
 * touched: the working folder (where `""` would land) stays empty.
 */
import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { test } from "node:test";
import { EquipmentCacheWriter, ValidationError, atomicWriteFile, lockPathFor, readCacheFile, withFileLock } from "exlab-cache";
import { equipmentPayload, tempDir } from "./helpers/tmp.js";

const BAD: readonly unknown[] = ["", "x\0y", "\0", 42, null, undefined];
const marker = { project: "PROJ-0042", equipment: "CONFOCAL_01" };

function isPathRefusal(err: unknown): boolean {
  assert.ok(err instanceof ValidationError, String(err));
  assert.equal(err.code, "validation_failed");
  assert.equal(err.field, "path");
  return true;
}

test("bad path arguments are validation_failed (field path) and nothing is created, in the working folder or anywhere", async (t) => {
  const cwd = await tempDir(t);
  const before = process.cwd();
  process.chdir(cwd);
  t.after(() => process.chdir(before));
  const writer = new EquipmentCacheWriter();
  for (const bad of BAD) {
    const p = bad as string;
    const calls: [string, () => Promise<unknown>][] = [
      ["writeEquipment", () => writer.writeEquipment(p, equipmentPayload())],
      ["syncEquipment", () => writer.syncEquipment(p, equipmentPayload())],
      ["writeTestRunsMarker", () => writer.writeTestRunsMarker(p, marker)],
      ["writeRunsMarker", () => writer.writeRunsMarker(p, marker)],
      ["readEquipment", () => writer.readEquipment(p)],
      ["readTestRunsMarker", () => writer.readTestRunsMarker(p)],
      ["readRunsMarker", () => writer.readRunsMarker(p)],
      ["withFileLock", () => withFileLock(p, () => assert.fail("ran under a lock"))],
      ["atomicWriteFile", () => atomicWriteFile(p, "{}")],
      ["readCacheFile", () => readCacheFile(p)],
    ];
    for (const [name, call] of calls) await assert.rejects(call(), isPathRefusal, `${name}(${JSON.stringify(bad)})`);
    assert.throws(() => lockPathFor(p), isPathRefusal);
  }
  assert.deepEqual(await readdir(cwd), []);
});
