/**
 * Hostile inputs (issue 5, point 4), the files: every case of
 * test/fixtures/hostile/manifest.json goes through its reader and through a
 * write over it. A read must end in the manifest's error code (or its
 * documented acceptance) and change nothing; a write must follow the
 * manifest's policy, keeping a corrupt file's exact bytes aside. Throughout:
 * no prototype pollution, no unhandled rejection, nothing outside the tree
 * touched.
 */
import assert from "node:assert/strict";
import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { test } from "node:test";
import {
  EquipmentCacheWriter,
  ExlabCacheError,
  ValidationError,
  equipmentJsonPath,
  runsMarkerPath,
  testRunsMarkerPath,
  type CacheWarning,
} from "exlab-cache";
import { CORPUS_DIR, corpusFiles, generate, keptRaw, loadCorpus, type HostileCase, type Reader } from "./_hostile-corpus.js";
import { listTree, snapshotTree } from "../helpers/snapshot.js";
import { equipmentPayload, tempDir } from "../helpers/tmp.js";
import { settle, watchUnhandledRejections } from "../helpers/unhandled.js";

const unhandled = watchUnhandledRejections();
const NOW = "2026-05-01T00:00:00Z";
const KNOWN_EQUIPMENT = ["schema_version", "id", "label", "configured_local_root", "configured_nas_root", "first_seen_at", "last_modified_at"];
const KNOWN_MARKER = ["schema_version", "run_kind", "created_at", "project", "equipment"];

function assertNoPollution(): void {
  const probe = {} as Record<string, unknown>;
  assert.equal(probe["polluted"], undefined, "Object.prototype was polluted");
  assert.equal(Object.getPrototypeOf(probe), Object.prototype);
  assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).filter((k) => k === "polluted" || k === "schema_version"), []);
}

function pathFor(lab: string, as: Reader): string {
  if (as === "equipment") return equipmentJsonPath(lab, "CONFOCAL_01");
  return as === "test_runs" ? testRunsMarkerPath(lab, "CONFOCAL_01", "PROJ-0042") : runsMarkerPath(lab, "CONFOCAL_01", "PROJ-0042");
}

function read(writer: EquipmentCacheWriter, as: Reader, path: string): Promise<object> {
  if (as === "equipment") return writer.readEquipment(path);
  return as === "test_runs" ? writer.readTestRunsMarker(path) : writer.readRunsMarker(path);
}

async function checkRead(c: HostileCase, writer: EquipmentCacheWriter, path: string): Promise<void> {
  const expected = c.read;
  if ("accept" in expected) {
    const record = (await read(writer, c.as, path)) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(record), Object.prototype);
    const known = c.as === "equipment" ? KNOWN_EQUIPMENT : KNOWN_MARKER;
    assert.deepEqual(Object.keys(record), known, "a read record holds exactly the known fields");
    for (const [k, v] of Object.entries(expected.record)) assert.deepEqual(record[k], v, `field ${k}`);
    return;
  }
  await assert.rejects(read(writer, c.as, path), (err: unknown) => {
    assert.ok(err instanceof ExlabCacheError, `expected a structured error, got ${String(err)}`);
    assert.equal(err.code, expected.code, err.message);
    assert.equal(err.path, path);
    if (expected.fields !== undefined) {
      assert.ok(err instanceof ValidationError);
      assert.deepEqual(err.issues.map((i) => i.path), expected.fields);
    }
    if (expected.found !== undefined) {
      assert.equal(err.field, "schema_version");
      assert.deepEqual(err.details, { expected_major: 1, found: expected.found });
    }
    // The envelope renders, and stays small whatever the file held.
    const envelope = JSON.stringify(err.toEnvelope());
    assert.ok(envelope.length < 4096, `error envelope of ${envelope.length} characters`);
    return true;
  });
}

async function checkWrite(c: HostileCase, writer: EquipmentCacheWriter, path: string, original: Buffer, warnings: CacheWarning[]): Promise<void> {
  const policy = c.write;
  const dir = dirname(path);
  const name = basename(path);
  if (policy.policy === "unchanged") {
    const marker = { project: "PROJ-0042", equipment: "CONFOCAL_01" };
    const created = c.as === "test_runs" ? await writer.writeTestRunsMarker(path, marker) : await writer.writeRunsMarker(path, marker);
    assert.equal(created, false, "a marker is written once: an existing file is never replaced");
    assert.ok((await readFile(path)).equals(original), "the marker's bytes changed");
    assert.deepEqual((await readdir(dir)).sort(), [name, `${name}.lock`]);
    return;
  }
  if (policy.policy === "refused") {
    await assert.rejects(writer.writeEquipment(path, equipmentPayload()), (err: unknown) => err instanceof ExlabCacheError && err.code === policy.code);
    assert.ok((await readFile(path)).equals(original), "a refused write changed the file");
    assert.deepEqual((await readdir(dir)).sort(), [name, `${name}.lock`]);
    assert.deepEqual(warnings, []);
    return;
  }
  const written = await writer.writeEquipment(path, equipmentPayload({ label: "Rewritten" }));
  const firstSeen = policy.first_seen_at === "now" ? NOW : policy.first_seen_at;
  assert.equal(written.first_seen_at, firstSeen);
  assert.equal(written.last_modified_at, NOW);
  assert.deepEqual(await writer.readEquipment(path), written);
  if (policy.policy === "kept-aside") {
    const kept = `${path}.corrupt-${NOW.replaceAll(":", "-")}`;
    assert.deepEqual(
      warnings.map((w) => [w.code, w.path, w.preservedAt]),
      [["corrupt_file_preserved", path, kept]],
    );
    assert.ok((await readFile(kept)).equals(original), "the kept-aside bytes are not the corrupt file's");
    assert.deepEqual((await readdir(dir)).sort(), [name, basename(kept), `${name}.lock`].sort());
    return;
  }
  assert.deepEqual(warnings, []);
  if (policy.version !== undefined) assert.equal(written.schema_version, policy.version);
  const text = await readFile(path, "utf8");
  for (const [key, raw] of Object.entries(policy.keeps ?? {})) {
    assert.ok(text.includes(`${JSON.stringify(key)}:${keptRaw(raw)}`), `member ${key} was not carried through the rewrite verbatim`);
  }
  assert.deepEqual((await readdir(dir)).sort(), [name, `${name}.lock`]);
}

test("hostile corpus: every fixture file has a manifest entry and every entry a file", () => {
  const cases = loadCorpus();
  const named = new Set(cases.filter((c) => !c.generated).map((c) => c.name));
  assert.deepEqual(corpusFiles().sort(), [...named].sort());
});

for (const c of loadCorpus()) {
  const outcome = "accept" in c.read ? "accepted on purpose" : c.read.code;
  test(`hostile ${c.as} ${c.generated ? "(generated) " : ""}${c.name} — ${c.tries}: read ${outcome}, write ${c.write.policy}`, async (t) => {
    const root = await tempDir(t);
    const lab = join(root, "lab");
    const outside = join(root, "outside");
    await mkdir(outside);
    await writeFile(join(outside, "secret.json"), "must not be touched");
    const path = pathFor(lab, c.as);
    const original = c.generated ? generate(c.name) : await readFile(join(CORPUS_DIR, c.name));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, original);
    const outsideBefore = listTree(await snapshotTree(outside));
    const labBefore = listTree(await snapshotTree(lab));
    const warnings: CacheWarning[] = [];
    const writer = new EquipmentCacheWriter({ clock: () => new Date(NOW), onWarning: (w) => warnings.push(w) });

    await checkRead(c, writer, path);
    assertNoPollution();
    assert.deepEqual(listTree(await snapshotTree(lab)), labBefore, "a read changed the tree");

    await checkWrite(c, writer, path, original, warnings);
    assertNoPollution();
    assert.deepEqual(listTree(await snapshotTree(outside)), outsideBefore, "a file outside the tree was touched");
  });
}

test("hostile corpus: no unhandled promise rejection", async () => {
  await settle();
  assert.deepEqual(unhandled, []);
});
