/**
 * The store and its create-once, update and forward-step policies, over a
 * small test record kind: real files in a fresh folder, real processes for
 * the races.
 */
import assert from "node:assert/strict";
import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { EquipmentCacheWriter, TransitionRefusedError, equipmentJsonPath, withFileLock } from "exlab-cache";
import { finished, goTogether, lastLine, startChild, workerScript } from "./helpers/children.js";
import { PYTHON, pyScript } from "./helpers/filelock.js";
import { CacheStore, createTally, decideTransition, tallyCodec, updateTally, type Tally } from "./helpers/tally.js";
import { tempDir } from "./helpers/tmp.js";

const code = (expected: string) => (err: unknown) => (err as { code?: unknown }).code === expected;
const tally = (n: number, notes: string[] = []): Tally => ({ schema_version: "1.0", n, notes });

async function seeded(t: Parameters<typeof tempDir>[0], value: Tally = tally(1, ["a"])): Promise<string> {
  const path = join(await tempDir(t), "x", ".exlab-wizard", "tally.json");
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, JSON.stringify(value));
  return path;
}

/** The lock is free for another process (Python's filelock, no wait). */
async function lockIsFree(t: Parameters<typeof tempDir>[0], path: string): Promise<boolean> {
  const probe = await finished(startChild(t, PYTHON, [pyScript("try_lock.py"), path], { PYTHONDONTWRITEBYTECODE: "1" }));
  return probe.stdout.trim() === "acquired";
}

test("create-once writes a new file, and refuses an existing one with already_exists, byte for byte", async (t) => {
  const store = new CacheStore();
  const path = join(await tempDir(t), ".exlab-wizard", "tally.json");
  assert.deepEqual(await store.change(path, createTally(tally(0, ["first"]))), tally(0, ["first"]));
  const before = await readFile(path);
  await assert.rejects(store.change(path, createTally(tally(9, ["second"]))), (err: unknown) => code("already_exists")(err) && (err as { path?: string }).path === path);
  assert.deepEqual(await readFile(path), before);
  // Not even a file this kind could read is replaced.
  await writeFile(path, "not json");
  await assert.rejects(store.change(path, createTally(tally(0))), code("already_exists"));
  assert.equal(await readFile(path, "utf8"), "not json");
});

test("of racing creators in one process exactly one wins", async (t) => {
  const store = new CacheStore({ durable: false });
  const path = join(await tempDir(t), "tally.json");
  const outcomes = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => store.change(path, createTally(tally(i)))));
  const won = outcomes.flatMap((o) => (o.status === "fulfilled" ? [o.value] : []));
  assert.equal(won.length, 1);
  assert.ok(outcomes.every((o) => o.status === "fulfilled" || code("already_exists")(o.reason)));
  assert.deepEqual(JSON.parse(await readFile(path, "utf8")), won[0]);
});

test("of racing creators in many processes exactly one wins", async (t) => {
  const path = join(await tempDir(t), "tally.json");
  const children = Array.from({ length: 4 }, (_, i) => startChild(t, process.execPath, [workerScript("store-create"), path, `p${i}`]));
  const lines = (await goTogether(children)).map(lastLine);
  assert.equal(lines.filter((l) => l === "created").length, 1, lines.join(","));
  assert.equal(lines.filter((l) => l === "already_exists").length, 3, lines.join(","));
  const winner = lines.indexOf("created");
  assert.deepEqual((JSON.parse(await readFile(path, "utf8")) as Tally).notes, [`p${winner}`]);
});

test("update decodes once, lets the mutator change the record in place or return a new one, and encodes once", async (t) => {
  const path = await seeded(t);
  const store = new CacheStore();
  const codec = tallyCodec();
  const inPlace = await store.change(path, updateTally(codec, (r) => void (r.n += 1)));
  assert.deepEqual(inPlace, tally(2, ["a"]));
  assert.deepEqual([codec.decodes, codec.encodes], [1, 1]);
  const returned = await store.change(path, updateTally(codec, (r) => Promise.resolve({ ...r, notes: [...r.notes, "b"] })));
  assert.deepEqual(returned, tally(2, ["a", "b"]));
  assert.deepEqual(JSON.parse(await readFile(path, "utf8")), tally(2, ["a", "b"]));
});

test("update of a missing file is not_found and creates nothing, not even the folder or the sidecar", async (t) => {
  const root = await tempDir(t);
  const path = join(root, "P", ".exlab-wizard", "tally.json");
  await assert.rejects(new CacheStore().change(path, updateTally(tallyCodec(), () => undefined)), (err: unknown) => code("not_found")(err) && (err as { path?: string }).path === path);
  assert.deepEqual(await readdir(root), []);
});

test("a mutator that throws leaves the file untouched and the lock released", async (t) => {
  const path = await seeded(t);
  const before = await readFile(path);
  const boom = new Error("mutator failed");
  await assert.rejects(new CacheStore().change(path, updateTally(tallyCodec(), () => { throw boom; })), (err) => err === boom);
  assert.deepEqual(await readFile(path), before);
  assert.equal(await lockIsFree(t, path), true);
});

test("a mutator that returns an invalid record is refused with validation_failed: untouched, lock released", async (t) => {
  const path = await seeded(t);
  const before = await readFile(path);
  await assert.rejects(new CacheStore().change(path, updateTally(tallyCodec(), (r) => ({ ...r, n: -1 }))), code("validation_failed"));
  await assert.rejects(new CacheStore().change(path, updateTally(tallyCodec(), (r) => void (r.notes = [1 as unknown as string]))), code("validation_failed"));
  assert.deepEqual(await readFile(path), before);
  assert.equal(await lockIsFree(t, path), true);
});

test("a mutator that writes its own file fails at once with lock_reentry, not after the lock timeout", async (t) => {
  const path = await seeded(t);
  const before = await readFile(path);
  const store = new CacheStore({ lockTimeoutMs: 2_000 });
  const nested = store.change(path, updateTally(tallyCodec(), async (r) => {
    await store.change(path, updateTally(tallyCodec(), (inner) => void (inner.n += 100)));
    r.n += 1;
  }));
  await assert.rejects(nested, code("lock_reentry"));
  assert.deepEqual(await readFile(path), before);
  // The lock was released: the next update goes through.
  assert.equal((await store.change(path, updateTally(tallyCodec(), (r) => void (r.n += 1)))).n, 2);
});

test("a mutator that writes its own file through the equipment writer fails with lock_reentry too", async (t) => {
  const root = await tempDir(t);
  const path = equipmentJsonPath(root, "CONFOCAL_01");
  const writer = new EquipmentCacheWriter({ lockTimeoutMs: 2_000 });
  const payload = { id: "CONFOCAL_01", label: "L", configured_local_root: root, configured_nas_root: "//nas01/lab" };
  await writer.writeEquipment(path, payload);
  const store = new CacheStore({ lockTimeoutMs: 2_000 });
  await assert.rejects(
    store.change(path, {
      look: "read",
      decide: async () => {
        await writer.writeEquipment(path, { ...payload, label: "nested" });
        return { write: false, result: undefined };
      },
    }),
    code("lock_reentry"),
  );
  assert.equal((JSON.parse(await readFile(path, "utf8")) as { label: string }).label, "L");
  // withFileLock from under a store write sees the same guard.
  await assert.rejects(store.change(path, { look: "read", decide: async () => withFileLock(path, () => ({ write: false as const, result: 0 })) }), code("lock_reentry"));
});

test("a forward step is refused by its guard with a structured error and nothing written, else applied", async (t) => {
  const path = await seeded(t, tally(1));
  const before = await readFile(path);
  const store = new CacheStore();
  const codec = tallyCodec();
  const toTwo = (found: Parameters<ReturnType<typeof updateTally>["decide"]>[0], ctx: Parameters<ReturnType<typeof updateTally>["decide"]>[1]) =>
    decideTransition(codec, (r: Tally) => (r.n === 1 ? undefined : new TransitionRefusedError(ctx.path, { field: "n", from: String(r.n), to: "2", allowed: [String(r.n + 1)] })), (r: Tally) => void (r.n = 2), found, ctx);
  assert.equal((await store.change(path, { look: "read", decide: toTwo })).n, 2);
  const once = await readFile(path);
  assert.notDeepEqual(once, before);
  await assert.rejects(store.change(path, { look: "read", decide: toTwo }), (err: unknown) => {
    assert.ok(err instanceof TransitionRefusedError);
    assert.deepEqual(err.toEnvelope().error.details, { from: "2", to: "2", allowed: ["3"], path });
    return err.code === "transition_refused";
  });
  assert.deepEqual(await readFile(path), once);
});
