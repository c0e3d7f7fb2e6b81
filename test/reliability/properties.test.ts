/**
 * Property-based tests (issue 5, point 5), with fast-check: any valid record
 * written is read back equal; unknown members survive any rewrites; and any
 * interleaving of concurrent equipment writers and marker writers in one
 * process leaves a valid file, a first_seen_at from the first writer, and
 * exactly one marker winner per marker. Failures print fast-check's seed and
 * path for replay.
 *
 * The writers here skip fsync (durable: false): these properties are about
 * content and order, fsync cannot change either, and syscall-order.test.ts
 * holds the durability recipe.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, readdir, writeFile, mkdir } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import * as fsp from "node:fs/promises";
import { test } from "node:test";
import fc from "fast-check";
import { EquipmentCacheWriter, equipmentJsonPath, runsMarkerPath, testRunsMarkerPath, type EquipmentJson, type FileSystem } from "exlab-cache";
import { extras, instant, payload, seconds } from "./_arbitraries.js";
import { tempDir } from "../helpers/tmp.js";

test("property: any valid record written is read back equal, byte for byte in the documented encoding", async (t) => {
  const base = await tempDir(t);
  await fc.assert(
    fc.asyncProperty(payload, instant, async (input, at) => {
      const root = await mkdtemp(join(base, "r-"));
      const path = equipmentJsonPath(root, input.id);
      const writer = new EquipmentCacheWriter({ clock: () => at, durable: false });
      const written = await writer.writeEquipment(path, input);
      const stamp = seconds(at);
      const expected: EquipmentJson = { schema_version: "1.0", ...input, first_seen_at: stamp, last_modified_at: stamp };
      assert.deepEqual(written, expected);
      assert.deepEqual(await writer.readEquipment(path), expected);
      assert.equal(await readFile(path, "utf8"), JSON.stringify(expected));
    }),
    { numRuns: 150 },
  );
});

test("property: through any sequence of rewrites first_seen_at stays, the last write wins, and a newer minor's unknown members survive verbatim", async (t) => {
  const base = await tempDir(t);
  await fc.assert(
    fc.asyncProperty(
      payload,
      extras,
      fc.integer({ min: 0, max: 99 }),
      fc.constantFrom(0, 2),
      fc.array(fc.tuple(payload, fc.integer({ min: 1, max: 10 ** 6 })), { minLength: 1, maxLength: 4 }),
      async (first, unknown, minor, indent, rewrites) => {
        const root = await mkdtemp(join(base, "r-"));
        const path = equipmentJsonPath(root, "CONFOCAL_01");
        const original = {
          schema_version: `1.${minor}`,
          ...first,
          id: "CONFOCAL_01",
          first_seen_at: "2025-09-12T09:14:00Z",
          last_modified_at: "2025-09-12T09:14:00Z",
          ...unknown,
        };
        const text = JSON.stringify(original, null, indent);
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, text);
        let ms = Date.parse("2026-01-01T00:00:00Z");
        const writer = new EquipmentCacheWriter({ clock: () => new Date(ms), durable: false });
        let last: EquipmentJson | undefined;
        for (const [next, step] of rewrites) {
          ms += step * 1000;
          last = await writer.writeEquipment(path, { ...next, id: "CONFOCAL_01" });
          assert.deepEqual(
            [last.label, last.configured_local_root, last.configured_nas_root],
            [next.label, next.configured_local_root, next.configured_nas_root],
          );
          assert.equal(last.first_seen_at, "2025-09-12T09:14:00Z");
          assert.equal(last.last_modified_at, seconds(new Date(ms)));
          assert.equal(last.schema_version, `1.${minor}`);
        }
        assert.deepEqual(await writer.readEquipment(path), last);
        const onDisk = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
        const before = JSON.parse(text) as Record<string, unknown>;
        for (const key of Object.keys(unknown)) assert.deepEqual(onDisk[key], before[key], `unknown member ${JSON.stringify(key)}`);
      },
    ),
    { numRuns: 100 },
  );
});

test("property: a clock outside years 0000-9999 is refused before anything is written, never put on disk", async (t) => {
  const base = await tempDir(t);
  const outOfRange = fc.oneof(
    fc.date({ min: new Date(-8.64e15), max: new Date("-000001-12-31T23:59:59.999Z"), noInvalidDate: true }),
    fc.date({ min: new Date("+010000-01-01T00:00:00.000Z"), max: new Date(8.64e15), noInvalidDate: true }),
  );
  await fc.assert(
    fc.asyncProperty(payload, outOfRange, async (input, at) => {
      const root = await mkdtemp(join(base, "r-"));
      const path = equipmentJsonPath(root, input.id);
      const marker = testRunsMarkerPath(root, input.id, "PROJ-0042");
      await new EquipmentCacheWriter({ durable: false }).writeEquipment(path, input);
      const before = await readFile(path);
      const writer = new EquipmentCacheWriter({ clock: () => at, durable: false });
      await assert.rejects(writer.writeEquipment(path, input), { code: "validation_failed", field: "clock" });
      await assert.rejects(writer.writeTestRunsMarker(marker, { project: "PROJ-0042", equipment: input.id }), { code: "validation_failed", field: "clock" });
      assert.deepEqual(await readFile(path), before);
      await assert.rejects(readFile(marker), { code: "ENOENT" });
    }),
    { numRuns: 30 },
  );
});

/** A FileSystem whose every call waits for the scheduler's go: fast-check picks the interleaving. */
function scheduledFs(s: fc.Scheduler): FileSystem {
  const gate = <A extends unknown[], R>(name: string, fn: (...a: A) => Promise<R>) => async (...args: A): Promise<R> => {
    await s.schedule(Promise.resolve(), `${name} ${String(args[0])}`);
    return fn(...args);
  };
  return {
    open: gate("open", fsp.open),
    rename: gate("rename", fsp.rename),
    unlink: gate("unlink", fsp.unlink),
    mkdir: gate("mkdir", fsp.mkdir) as FileSystem["mkdir"],
    readdir: gate("readdir", fsp.readdir) as FileSystem["readdir"],
    lstat: gate("lstat", fsp.lstat) as FileSystem["lstat"],
    link: gate("link", fsp.link),
  };
}

type Op = { kind: "equipment"; label: string } | { kind: "test" | "experimental" };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("equipment" as const), label: fc.string({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constantFrom("test" as const, "experimental" as const) }),
);

test("property: any interleaving of concurrent equipment and marker writers leaves a valid file and exactly one winner per marker", async (t) => {
  const base = await tempDir(t);
  await fc.assert(
    fc.asyncProperty(fc.scheduler(), fc.array(op, { minLength: 2, maxLength: 8 }), async (s, ops) => {
      const root = await mkdtemp(join(base, "r-"));
      const paths = {
        equipment: equipmentJsonPath(root, "CONFOCAL_01"),
        test: testRunsMarkerPath(root, "CONFOCAL_01", "PROJ-0042"),
        experimental: runsMarkerPath(root, "CONFOCAL_01", "PROJ-0042"),
      };
      const fs = scheduledFs(s);
      const started: number[] = [];
      const stamp = (i: number): Date => new Date(Date.parse("2026-01-01T00:00:00Z") + i * 1000);
      // Each caller has its own writer and clock; the scheduler also picks the order they start in.
      const calls = ops.map((o, i) =>
        s.schedule(Promise.resolve(), `start ${i}`).then(async () => {
          started.push(i);
          const writer = new EquipmentCacheWriter({ fs, clock: () => stamp(i), durable: false });
          if (o.kind === "equipment") return writer.writeEquipment(paths.equipment, { id: "CONFOCAL_01", label: o.label, configured_local_root: "/a", configured_nas_root: "/b" });
          const marker = { project: "PROJ-0042", equipment: "CONFOCAL_01" };
          return o.kind === "test" ? writer.writeTestRunsMarker(paths.test, marker) : writer.writeRunsMarker(paths.experimental, marker);
        }),
      );
      const results = await s.waitFor(Promise.all(calls));

      // Callers in one process queue for the lock in the order they call.
      const equipment = started.filter((i) => ops[i]?.kind === "equipment");
      if (equipment.length > 0) {
        const first = equipment[0] ?? -1;
        const last = equipment.at(-1) ?? -1;
        const record = await new EquipmentCacheWriter().readEquipment(paths.equipment);
        assert.deepEqual(record, results[last]);
        assert.equal(record.first_seen_at, seconds(stamp(first)));
        for (const i of equipment) assert.equal((results[i] as EquipmentJson).first_seen_at, seconds(stamp(first)));
      }
      for (const kind of ["test", "experimental"] as const) {
        const racers = started.filter((i) => ops[i]?.kind === kind);
        if (racers.length === 0) continue;
        const winners = racers.filter((i) => results[i] === true);
        assert.deepEqual(winners, [racers[0]], `${kind} marker: winners ${winners.join(",")} among ${racers.join(",")}`);
        const marker = JSON.parse(await readFile(paths[kind], "utf8")) as Record<string, unknown>;
        assert.equal(marker["created_at"], seconds(stamp(racers[0] ?? -1)));
      }
      for (const path of Object.values(paths)) {
        const entries = await readdir(dirname(path)).catch(() => [] as string[]);
        const name = basename(path);
        assert.deepEqual(entries.filter((e) => e.startsWith(`${name}.`) && e !== `${name}.lock`), [], `leftovers beside ${name}`);
      }
    }),
    { numRuns: 60 },
  );
});
