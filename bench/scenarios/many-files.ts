/**
 * `many files, 1 process`: one process rewrites 1,000 different
 * equipment.json files with 64 writes in flight. Locks on different files
 * must not serialize each other, and the writes must not hog libuv's thread
 * pool: a ticker in the same process times an unrelated `fs.promises.stat`
 * every few milliseconds. The floor is the C writer as 4 parallel processes
 * on 4 different files (and, for reference, as 1 process).
 */
import { join } from "node:path";
import { CONTENDER_NAMES, rewriteWorker } from "../_contenders.js";
import { fmt } from "../_format.js";
import { atLeast, atMost, rowOf, type Row } from "../_model.js";
import { workerScript } from "../_paths.js";
import { runTogether } from "../_procs.js";
import { percentile, summarize } from "../_stats.js";
import { freshDir, sized, splitCount, type Scenario, type TimedRun } from "./_context.js";

const FULL = 1000;
const IN_FLIGHT = 64;
const TICK_MS = 5;
const FLOOR_STREAMS = 4;
const STALL_LIMIT_MS = 50;

interface ManyRun extends TimedRun {
  tick: number[];
}

export const manyFiles: Scenario = {
  id: "many",
  title: "many files, 1 process",
  async run(ctx) {
    const files = sized(ctx, FULL, 8);
    const rows: Row[] = [];

    for (const streams of [1, FLOOR_STREAMS]) {
      ctx.log(`many: floor, ${streams} process(es), ${files} rewrites in all`);
      const specs = await Promise.all(
        splitCount(files, streams).map(async (n, i) => {
          const path = join(await freshDir(ctx, "many", `floor-${streams}`, `f${i}`), "equipment.json");
          return rewriteWorker(ctx, "floor", path, n, 0, `floor-${streams}#${i}`);
        }),
      );
      const runs = await runTogether<TimedRun>(specs);
      const wall = Math.max(...runs.map((r) => r.end)) - Math.min(...runs.map((r) => r.start));
      rows.push({
        key: `floor-${streams}`,
        name: `floor (C), ${streams} process${streams === 1 ? "" : "es"} on ${streams} file${streams === 1 ? "" : "s"}`,
        ours: false,
        summary: summarize(runs.flatMap((r) => r.lat), wall),
        extra: {},
        raw: { processes: runs },
      });
    }

    for (const c of ["ours", "combo"] as const) {
      ctx.log(`many: ${c}, ${files} files, ${IN_FLIGHT} in flight`);
      const root = await freshDir(ctx, "many", c);
      const [res] = await runTogether<ManyRun>([
        {
          label: c,
          command: process.execPath,
          args: [workerScript("many"), c, root, String(files), String(IN_FLIGHT), String(TICK_MS)],
        },
      ]);
      if (res === undefined) throw new Error("no answer");
      const ticks = [...res.tick].sort((a, b) => a - b);
      rows.push({
        key: c,
        name: `${CONTENDER_NAMES[c]}, ${IN_FLIGHT} in flight`,
        ours: c === "ours",
        summary: summarize(res.lat, res.end - res.start),
        extra: {
          "stat calls": String(ticks.length),
          "stat p99 ms": fmt(percentile(ticks, 0.99) / 1e6),
          "stat max ms": fmt(percentile(ticks, 1) / 1e6),
        },
        raw: { ...res },
      });
    }

    const ours = rowOf(rows, "ours");
    const floor = rowOf(rows, `floor-${FLOOR_STREAMS}`);
    const stallMs = Math.max(0, ...(ours.raw["tick"] as number[])) / 1e6;
    return {
      setup: `${files.toLocaleString("en-US")} rewrites in all. Node contenders: ${files.toLocaleString("en-US")} different equipment.json files (written once beforehand, untimed), each rewritten once from one process with ${IN_FLIGHT} in flight, default thread pool; an fs.promises.stat every ${TICK_MS} ms in the same process is timed ("stat" columns). Floor: the C writer as separate processes, one file each.`,
      rows,
      extraColumns: ["stat calls", "stat p99 ms", "stat max ms"],
      targets: [
        atLeast(`ours throughput ≥ 0.8 × floor as ${FLOOR_STREAMS} processes`, ours.summary.opsPerSec / floor.summary.opsPerSec, 0.8),
        atMost("ours: longest unrelated fs.promises.stat while writing", stallMs, STALL_LIMIT_MS, "ms"),
      ],
      checks: [],
    };
  },
};
