/**
 * `equipment rewrite, 1 writer`: sequential rewrites of one equipment.json,
 * uncontended. The contenders run in interleaved blocks (floor, ours,
 * Python, combination, then again in rotated order) so that drift of a noisy
 * machine spreads over all of them rather than landing on one.
 */
import { join } from "node:path";
import { CONTENDERS, CONTENDER_NAMES, rewriteWorker, type ContenderKey } from "../_contenders.js";
import { atMost, rowOf, type Row } from "../_model.js";
import { runTogether } from "../_procs.js";
import { summarize } from "../_stats.js";
import { freshDir, sized, splitCount, type Scenario, type TimedRun } from "./_context.js";

const FULL = 2000;
const BLOCKS = 4;

export const rewriteOne: Scenario = {
  id: "rewrite-1",
  title: "equipment rewrite, 1 writer",
  async run(ctx) {
    const count = sized(ctx, FULL, 4);
    const blocks = splitCount(count, BLOCKS);
    const lat = new Map<ContenderKey, number[]>(CONTENDERS.map((c) => [c, []]));
    const wall = new Map<ContenderKey, number>(CONTENDERS.map((c) => [c, 0]));
    const paths = new Map<ContenderKey, string>();
    for (const c of CONTENDERS) paths.set(c, join(await freshDir(ctx, "rewrite-1", c), "equipment.json"));

    for (const [b, n] of blocks.entries()) {
      const order = CONTENDERS.map((_, i) => CONTENDERS[(i + b) % CONTENDERS.length] as ContenderKey);
      for (const c of order) {
        ctx.log(`rewrite-1: ${c}, block ${b + 1}/${blocks.length} (${n} rewrites)`);
        const [res] = await runTogether<TimedRun>([rewriteWorker(ctx, c, paths.get(c) ?? "", n, 0, c)]);
        if (res === undefined) throw new Error("no answer");
        lat.get(c)?.push(...res.lat);
        wall.set(c, (wall.get(c) ?? 0) + (res.end - res.start));
      }
    }

    const rows: Row[] = CONTENDERS.map((c) => ({
      key: c,
      name: CONTENDER_NAMES[c],
      ours: c === "ours",
      summary: summarize(lat.get(c) ?? [], wall.get(c) ?? 0),
      extra: {},
      raw: { lat: lat.get(c), wallNs: wall.get(c) },
    }));
    const ours = rowOf(rows, "ours").summary;
    const floor = rowOf(rows, "floor").summary;
    return {
      setup: `${count.toLocaleString("en-US")} sequential rewrites of one equipment.json per contender (lock, read the old file, replace), in ${blocks.length} interleaved blocks of one process each.`,
      rows,
      extraColumns: [],
      targets: [atMost("ours mean latency ≤ 1.25 × floor mean", ours.meanMs / floor.meanMs, 1.25)],
      checks: [],
    };
  },
};
