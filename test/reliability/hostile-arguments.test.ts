/**
 * Hostile inputs (issue 5, point 4), the arguments: the path helpers and the
 * write payloads of test/fixtures/hostile/path-arguments.json. Each must
 * fail with validation_failed naming exactly the bad fields, before anything
 * touches the disk, with no prototype pollution.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { EquipmentCacheWriter, ValidationError, equipmentJsonPath, runsMarkerPath, testRunsMarkerPath } from "exlab-cache";
import { CORPUS_DIR } from "./_hostile-corpus.js";
import { listTree, snapshotTree } from "../helpers/snapshot.js";
import { tempDir } from "../helpers/tmp.js";
import { settle, watchUnhandledRejections } from "../helpers/unhandled.js";

const unhandled = watchUnhandledRejections();

interface HelperCase {
  tries: string;
  helper: "equipmentJsonPath" | "testRunsMarkerPath" | "runsMarkerPath";
  args: unknown[];
  fields: string[];
}
interface PayloadCase {
  tries: string;
  method: "writeEquipment" | "writeTestRunsMarker" | "writeRunsMarker";
  payload: unknown;
  fields: string[];
}
const corpus = JSON.parse(readFileSync(join(CORPUS_DIR, "path-arguments.json"), "utf8")) as { helpers: HelperCase[]; payloads: PayloadCase[] };

const helpers = { equipmentJsonPath, testRunsMarkerPath, runsMarkerPath } as unknown as Record<string, (...args: unknown[]) => string>;

function assertIssues(err: unknown, fields: string[]): true {
  assert.ok(err instanceof ValidationError, `expected a ValidationError, got ${String(err)}`);
  assert.equal(err.code, "validation_failed");
  assert.deepEqual(err.issues.map((i) => i.path), fields);
  assert.ok(JSON.stringify(err.toEnvelope()).length < 4096);
  return true;
}

function assertNoPollution(): void {
  assert.equal(({} as Record<string, unknown>)["polluted"], undefined, "Object.prototype was polluted");
  assert.equal(Object.getPrototypeOf({}), Object.prototype);
}

for (const c of corpus.helpers) {
  test(`hostile argument: ${c.helper} with ${c.tries} → validation_failed on ${c.fields.join(", ")}`, () => {
    const helper = helpers[c.helper];
    assert.ok(helper !== undefined);
    assert.throws(() => helper(...c.args), (err) => assertIssues(err, c.fields));
  });
}

for (const c of corpus.payloads) {
  test(`hostile payload: ${c.method} with ${c.tries} → validation_failed on ${c.fields.join(", ") || "the whole payload"}, nothing on disk`, async (t) => {
    const root = await tempDir(t);
    const before = listTree(await snapshotTree(root));
    const writer = new EquipmentCacheWriter();
    const path =
      c.method === "writeEquipment"
        ? equipmentJsonPath(root, "CONFOCAL_01")
        : c.method === "writeTestRunsMarker"
          ? testRunsMarkerPath(root, "CONFOCAL_01", "PROJ-0042")
          : runsMarkerPath(root, "CONFOCAL_01", "PROJ-0042");
    const call = writer[c.method].bind(writer) as (p: string, payload: unknown) => Promise<unknown>;
    await assert.rejects(call(path, c.payload), (err) => assertIssues(err, c.fields));
    assert.deepEqual(listTree(await snapshotTree(root)), before, "a refused payload touched the disk");
    assertNoPollution();
  });
}

test("hostile arguments: no unhandled promise rejection", async () => {
  await settle();
  assert.deepEqual(unhandled, []);
});
