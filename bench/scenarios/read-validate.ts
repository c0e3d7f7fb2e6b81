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
import { rowOf, type Row } from "../_model.js";
import { readTargets } from "../_targets.js";
import { pythonWorker } from "../_contenders.js";
import { workerScript } from "../_paths.js";
import type { WorkerSpec } from "../_procs.js";
import { summarize } from "../_stats.js";
import { runInterleaved } from "./_blocks.js";
import { freshDir, sized, type BenchContext, type Scenario } from "./_context.js";

const FULL = 100_000;
const IN_FLIGHT = 16;

interface Reader {
  key: string;
  name: string;
  ours: boolean;
  spec(ctx: BenchContext, path: string, count: number): WorkerSpec;
}

const node = (impl: string, flight: number) => (_ctx: BenchContext, path: string, count: number): WorkerSpec => ({
  label: `read ${impl}-${flight}`,
  command: process.execPath,
  args: [workerScript("read"), impl, path, String(count), String(flight)],
});
const python = (flight: number) => (ctx: BenchContext, path: string, count: number): WorkerSpec =>
  pythonWorker(ctx, `read python-${flight}`, ["read", path, String(count), String(flight)]);

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
    const { blocks, byKey } = await runInterleaved(ctx, READERS, count, (r, n) => r.spec(ctx, path, n));
    const rows: Row[] = READERS.map((r) => {
      const { lat, wallNs } = byKey.get(r) ?? { lat: [], wallNs: 0 };
      return { key: r.key, name: r.name, ours: r.ours, summary: summarize(lat, wallNs), extra: {}, raw: { lat, wallNs } };
    });
    const rate = (key: string): number => rowOf(rows, key).summary.opsPerSec;
    return {
      setup: `${count.toLocaleString("en-US")} reads of one equipment.json per reader, in ${blocks} interleaved blocks. Latency with ${IN_FLIGHT} in flight includes the wait for a free lane.`,
      rows,
      extraColumns: [],
      targets: readTargets(
        {
          floor: rate("floor"),
          oursOne: rate("ours-1"),
          oursInFlight: rate(`ours-${IN_FLIGHT}`),
          appOne: rate("python-1"),
          appInFlight: rate(`python-${IN_FLIGHT}`),
        },
        IN_FLIGHT,
      ),
      checks: [],
    };
  },
};
