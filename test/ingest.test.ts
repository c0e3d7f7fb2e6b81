/**
 * ingest.json in one process: the application's bytes (cache-family §6.5)
 * from create and three advances with a fixed clock, every refused step
 * leaving the file byte-identical with `illegal_transition`, the version
 * rules of creation.json, unknown members kept at every depth, open enums
 * above our minor and closed at it.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { readFile, writeFile, mkdir, stat } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import {
  AlreadyExistsError,
  IllegalTransitionError,
  IngestCacheWriter,
  NotFoundError,
  SchemaMajorMismatchError,
  ValidationError,
  encodeIngest,
  newIngestRecord,
  parseIngest,
  type IngestInput,
  type IngestJson,
  type IngestState,
} from "exlab-cache";
import { REPO_ROOT } from "./helpers/filelock.js";
import { FakeClock, tempDir } from "./helpers/tmp.js";

const fixture = (name: string): string => readFileSync(join(REPO_ROOT, "test", "fixtures", "ingest", `${name}.json`), "utf8");

const RUN: IngestInput = {
  project_name: "Cortex Q3 Pilot",
  equipment_id: "CONFOCAL_01",
  run_kind: "experimental",
  run_path: "CONFOCAL_01/PROJ-0042/Runs/Run_2026-04-17T14-32",
  transport: "smb_mount",
};

async function fresh(t: Parameters<typeof tempDir>[0], clock = new FakeClock("2026-04-17T14:35:00Z")) {
  const dir = await tempDir(t);
  const path = join(dir, ".exlab-wizard", "ingest.json");
  const ingest = new IngestCacheWriter({ clock: clock.now, durable: false, host: "labpc-04" });
  return { dir, path, ingest, clock };
}

test("create writes the application's bootstrap bytes; three advances give its bytes after three transitions", async (t) => {
  const { path, ingest, clock } = await fresh(t);
  const created = await ingest.create(path, RUN);
  assert.equal(await readFile(path, "utf8"), fixture("bootstrap"));
  assert.equal(created.current_state, "staging");
  clock.advance(Date.parse("2026-12-06T07:19:58Z") / 1000 - Date.parse("2026-04-17T14:35:00Z") / 1000);
  await ingest.advance(path, "complete", { files_received: 142, bytes_received: 48293847234 });
  await ingest.advance(path, "sync_queued");
  const last = await ingest.advance(path, "sync_verified", { nas_path: "//nas01/lab/X", checksum_file: ".exlab-wizard/checksums.sha256" });
  assert.equal(await readFile(path, "utf8"), fixture("three-steps"));
  assert.deepEqual(last, parseIngest(Buffer.from(fixture("three-steps"))));
});

test("an empty history is left out, and reads back as []", () => {
  const record = { ...newIngestRecord(RUN, "2026-04-17T14:35:00Z", "labpc-04"), history: [] };
  assert.equal(encodeIngest(record), fixture("empty-history"));
  assert.deepEqual(parseIngest(Buffer.from(fixture("empty-history"))).history, []);
});

test("host defaults to the machine's host name; a call may name another", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "ingest.json");
  const ingest = new IngestCacheWriter({ durable: false });
  const created = await ingest.create(path, RUN);
  assert.equal(created.history[0]?.["host"], hostname());
  const next = await ingest.advance(path, "complete", { host: "watcher-2", files_received: 0 });
  assert.deepEqual(Object.keys(next.history[1] ?? {}), ["state", "at", "host", "files_received"]);
  assert.equal(next.history[1]?.["host"], "watcher-2");
  assert.equal(next.history[1]?.["files_received"], 0);
});

test("a second create is already_exists and leaves the file byte for byte", async (t) => {
  const { path, ingest, clock } = await fresh(t);
  await ingest.create(path, RUN);
  const before = await readFile(path);
  clock.advance(60);
  await assert.rejects(ingest.create(path, { ...RUN, project_name: "Other" }), (e: unknown) => e instanceof AlreadyExistsError && e.code === "already_exists" && e.path === path);
  assert.deepEqual(await readFile(path), before);
});

test("a create payload is checked strictly; it may not choose the state or the history", async (t) => {
  const { path, ingest } = await fresh(t);
  for (const bad of [
    { ...RUN, transport: "ftp" },
    { ...RUN, run_kind: undefined },
    { ...RUN, current_state: "complete" },
    { ...RUN, history: [] },
    { ...RUN, colour: "blue" },
  ]) {
    await assert.rejects(ingest.create(path, bad as unknown as IngestInput), ValidationError);
  }
  await assert.rejects(stat(join(path, "..")), { code: "ENOENT" }); // nothing touched: not even the folder
});

const STEPS: readonly IngestState[] = ["complete", "sync_queued", "sync_verified", "cleared"];

/** A file in `state`, reached through every step before it. */
async function at(t: Parameters<typeof tempDir>[0], state: IngestState) {
  const f = await fresh(t);
  await f.ingest.create(f.path, RUN);
  for (const s of STEPS.slice(0, STEPS.indexOf(state) + 1)) await f.ingest.advance(f.path, s);
  return f;
}

for (const [from, to, allowed] of [
  ["staging", "sync_queued", ["complete"]], // a skip
  ["staging", "cleared", ["complete"]],
  ["complete", "complete", ["sync_queued"]], // a repeat
  ["sync_verified", "staging", ["cleared"]], // a step back
  ["sync_queued", "complete", ["sync_verified"]],
  ["cleared", "cleared", []], // out of the final state
  ["cleared", "staging", []],
] as const) {
  test(`${from} → ${to} is illegal_transition (allowed: ${allowed.join(", ") || "none"}), the file byte-identical`, async (t) => {
    const { path, ingest, clock } = await at(t, from);
    const before = await readFile(path);
    clock.advance(60);
    await assert.rejects(ingest.advance(path, to), (e: unknown) => {
      assert.ok(e instanceof IllegalTransitionError);
      assert.equal(e.code, "illegal_transition");
      assert.equal(e.from, from);
      assert.deepEqual(e.allowed, allowed);
      assert.deepEqual(e.toEnvelope().error.details, { from, to, allowed: [...allowed], path });
      return true;
    });
    assert.deepEqual(await readFile(path), before);
  });
}

test("details another state takes are illegal_transition; unknown details and bad values are validation_failed; the file unchanged", async (t) => {
  const { path, ingest } = await at(t, "complete");
  const before = await readFile(path);
  await assert.rejects(ingest.advance(path, "sync_queued", { files_received: 3 }), (e: unknown) => e instanceof IllegalTransitionError && e.extras.join() === "files_received");
  await assert.rejects(ingest.advance(path, "sync_queued", { nas_path: "//nas" }), IllegalTransitionError);
  await assert.rejects(ingest.advance(path, "sync_queued", { file_received: 3 } as never), ValidationError);
  await assert.rejects(ingest.advance(path, "sync_queued", { host: "" }), ValidationError);
  await assert.rejects(ingest.advance(path, "sync_queued", { host: 4 } as never), ValidationError);
  await assert.rejects(ingest.advance(path, "quarantined" as IngestState), ValidationError);
  await assert.rejects(ingest.advance(path, "sync_queued", null as never), ValidationError);
  await assert.rejects(ingest.advance(path, "sync_queued", [] as never), ValidationError);
  const { path: p2, ingest: i2 } = await at(t, "staging");
  for (const bad of [-1, 1.5, "3", Number.MAX_SAFE_INTEGER + 2]) {
    await assert.rejects(i2.advance(p2, "complete", { bytes_received: bad as number }), ValidationError);
  }
  assert.deepEqual(await readFile(path), before);
  assert.equal((await i2.read(p2)).current_state, "staging");
});

test("advance of a missing file is not_found and creates nothing", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, ".exlab-wizard", "ingest.json");
  await assert.rejects(new IngestCacheWriter().advance(path, "complete"), NotFoundError);
  await assert.rejects(stat(join(dir, ".exlab-wizard")), { code: "ENOENT" });
});

test("a newer minor: future members kept (the app drops them), entry-level extras kept, version kept, an unknown state read and refused", async (t) => {
  const { path, ingest } = await fresh(t, new FakeClock("2026-12-06T07:19:58Z"));
  await mkdir(join(path, ".."), { recursive: true });
  await writeFile(path, fixture("newer-minor-in"));
  await ingest.advance(path, "complete", { host: "h2" });
  assert.equal(await readFile(path, "utf8"), fixture("newer-minor-ours-out"));
  // The application's own output for the same step reads fine too.
  assert.equal(parseIngest(Buffer.from(fixture("newer-minor-app-out"))).current_state, "complete");

  const unknown = fixture("newer-minor-in").replace('"current_state":"staging"', '"current_state":"quarantined"').replace('"transport":"smb_mount"', '"transport":"carrier_pigeon"');
  await writeFile(path, unknown);
  const read = await ingest.read(path);
  assert.equal(read.current_state, "quarantined");
  assert.equal(read.transport, "carrier_pigeon");
  await assert.rejects(ingest.advance(path, "complete"), (e: unknown) => e instanceof IllegalTransitionError && e.from === "quarantined" && e.allowed.length === 0);
  assert.equal(await readFile(path, "utf8"), unknown);
});

test("at our minor enums are closed; an older minor is bumped to 1.1 on advance; another major is refused untouched", async (t) => {
  const { path, ingest } = await fresh(t);
  await mkdir(join(path, ".."), { recursive: true });
  await writeFile(path, fixture("bootstrap").replace('"current_state":"staging"', '"current_state":"quarantined"'));
  await assert.rejects(ingest.read(path), (e: unknown) => e instanceof ValidationError && e.field === "current_state");

  await writeFile(path, fixture("bootstrap").replace('"schema_version":"1.1"', '"schema_version":"1.0"').replace('"host":"labpc-04"}', '"host":"labpc-04","note":1.50}'));
  const advanced = await ingest.advance(path, "complete");
  assert.equal(advanced.schema_version, "1.1");
  assert.match(await readFile(path, "utf8"), /^\{"schema_version":"1\.1",.*"note":1\.50\}/);

  for (const version of ['"2.0"', '""', "null", "1.1", '"1"', '"01.1"']) {
    const text = fixture("bootstrap").replace('"schema_version":"1.1"', `"schema_version":${version}`);
    await writeFile(path, text);
    await assert.rejects(ingest.read(path), SchemaMajorMismatchError, version);
    await assert.rejects(ingest.advance(path, "complete"), SchemaMajorMismatchError, version);
    assert.equal(await readFile(path, "utf8"), text);
  }
});

test("the record a step returns is what a read gives", async (t) => {
  const { path, ingest } = await at(t, "sync_queued");
  const written: IngestJson = await ingest.advance(path, "sync_verified", { nas_path: "//nas01/lab/CONFOCAL_01/PROJ-0042/Runs/Run_2026-04-17T14-32" });
  assert.deepEqual(written, await ingest.read(path));
  assert.deepEqual(
    written.history.map((e) => e["state"]),
    ["staging", "complete", "sync_queued", "sync_verified"],
  );
});

test("step details are read from own properties only; a host with a control character or empty is refused once", async (t) => {
  const { path, ingest } = await at(t, "staging");
  const before = await readFile(path);
  const issues = async (details: unknown): Promise<string[]> => {
    try {
      await ingest.advance(path, "complete", details as never);
    } catch (err) {
      assert.ok(err instanceof ValidationError, String(err));
      assert.equal(err.code, "validation_failed");
      return err.issues.map((i) => i.path);
    }
    return [];
  };
  assert.deepEqual(await issues({ host: "a\nb" }), ["host"]);
  assert.deepEqual(await issues({ host: "a\u0085b" }), ["host"]);
  assert.deepEqual(await issues({ host: "" }), ["host"]);
  assert.deepEqual(await readFile(path), before);
  // Inherited details are not details: the step is taken without them.
  assert.deepEqual(await issues(Object.create({ files_received: 3 })), []);
  const record = await ingest.read(path);
  assert.equal(record.current_state, "complete");
  assert.equal(Object.hasOwn(record.history.at(-1) ?? {}, "files_received"), false);
  const { path: p2, ingest: i2 } = await at(t, "staging");
  await i2.advance(p2, "complete", { __proto__: { files_received: 1 } } as never);
  assert.equal(Object.hasOwn((await i2.read(p2)).history.at(-1) ?? {}, "files_received"), false);
});
