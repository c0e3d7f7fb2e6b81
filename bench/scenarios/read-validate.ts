/**
 * `read + validate`: reads of one equipment.json. Ours is
 * `readEquipment` (bounded snapshot read, schema-major gate, full
 * validation), awaited one at a time and with 16 in flight. The Python
 * application reads with `await asyncio.to_thread(read_and_decode)`, the same
 * two ways. The floor is a bare synchronous `readFileSync` + `JSON.parse`.
 * Blocks are interleaved as in the rewrite scenario.
 */
import { join } from "node:path";
import { EquipmentCacheWriter } from "exlab-cache";
import { EQUIPMENT } from "../contenders/_record.js";
import { atLeast, rowOf, type Row } from "../_model.js";
import { benchSource, workerScript } from "../_paths.js";
import { runTogether, type WorkerSpec } from "../_procs.js";
import { summarize } from "../_stats.js";
import { freshDir, sized, splitCount, type BenchContext, type Scenario, type TimedRun } from "./_context.js";

const FULL = 100_000;
const BLOCKS = 4;
const IN_FLIGHT = 16;

interface Reader {
  key: string;
  name: string;
  ours: boolean;
  spec(ctx: BenchContext, path: string, count: number): WorkerSpec;
}

const node = (impl: string, flight: number) => (_ctx: BenchContext, path: string, count: number): WorkerSpec => ({
  label: `${impl}-${flight}`,
  command: process.execPath,
  args: [workerScript("read"), impl, path, String(count), String(flight)],
});
const python = (flight: number) => (ctx: BenchContext, path: string, count: number): WorkerSpec => ({
  label: `python-${flight}`,
  command: ctx.python,
  args: [benchSource("recipe.py"), "read", path, String(count), String(flight)],
});

const READERS: readonly Reader[] = [
  { key: "floor", name: "floor (readFileSync + JSON.parse)", ours: false, spec: node("floor", 1) },
  { key: "ours-1", name: "ours, 1 at a time", ours: true, spec: node("ours", 1) },
  { key: `ours-${IN_FLIGHT}`, name: `ours, ${IN_FLIGHT} in flight`, ours: true, spec: node("ours", IN_FLIGHT) },
  { key: "python-1", name: "Python to_thread, 1 at a time", ours: false, spec: python(1) },
  { key: `python-${IN_FLIGHT}`, name: `Python to_thread, ${IN_FLIGHT} in flight`, ours: false, spec: python(IN_FLIGHT) },
];

export const readValidate: Scenario = {
  id: "read",
  title: "read + validate",
  async run(ctx) {
    const count = sized(ctx, FULL, 32);
    const path = join(await freshDir(ctx, "read"), "equipment.json");
    await new EquipmentCacheWriter().writeEquipment(path, EQUIPMENT);
    const blocks = splitCount(count, BLOCKS);
    const lat = new Map<string, number[]>(READERS.map((r) => [r.key, []]));
    const wall = new Map<string, number>(READERS.map((r) => [r.key, 0]));
    for (const [b, n] of blocks.entries()) {
      for (let i = 0; i < READERS.length; i++) {
        const reader = READERS[(i + b) % READERS.length] as Reader;
        ctx.log(`read: ${reader.key}, block ${b + 1}/${blocks.length} (${n} reads)`);
        const [res] = await runTogether<TimedRun>([reader.spec(ctx, path, n)]);
        if (res === undefined) throw new Error("no answer");
        lat.get(reader.key)?.push(...res.lat);
        wall.set(reader.key, (wall.get(reader.key) ?? 0) + (res.end - res.start));
      }
    }
    const rows: Row[] = READERS.map((r) => ({
      key: r.key,
      name: r.name,
      ours: r.ours,
      summary: summarize(lat.get(r.key) ?? [], wall.get(r.key) ?? 0),
      extra: {},
      raw: { lat: lat.get(r.key), wallNs: wall.get(r.key) },
    }));
    const rate = (key: string): number => rowOf(rows, key).summary.opsPerSec;
    return {
      setup: `${count.toLocaleString("en-US")} reads of one equipment.json per reader, in ${blocks.length} interleaved blocks. Latency with ${IN_FLIGHT} in flight includes the wait for a free lane.`,
      rows,
      extraColumns: [],
      targets: [
        atLeast("ours 1 at a time ≥ 1.5 × Python to_thread 1 at a time (reads/s)", rate("ours-1") / rate("python-1"), 1.5),
        atLeast(`ours ${IN_FLIGHT} in flight ≥ 1.5 × Python to_thread ${IN_FLIGHT} in flight (reads/s)`, rate(`ours-${IN_FLIGHT}`) / rate(`python-${IN_FLIGHT}`), 1.5),
      ],
      checks: [],
    };
  },
};
