/**
 * `equipment rewrite, 1 writer`: sequential rewrites of one equipment.json,
 * uncontended. The contenders run in interleaved blocks (floor, ours, the
 * Python application, the synchronous Python recipe, the combination, then
 * again in rotated order) so that drift of a noisy
 * machine spreads over all of them rather than landing on one.
 */
import { join } from "node:path";
import { CONTENDERS, CONTENDER_NAMES, rewriteWorker, type ContenderKey } from "../_contenders.js";
import { rowOf, type Row } from "../_model.js";
import { rewriteOneTargets } from "../_targets.js";
import { summarize } from "../_stats.js";
import { runInterleaved } from "./_blocks.js";
import { freshDir, sized, type Scenario } from "./_context.js";

const FULL = 2000;

export const rewriteOne: Scenario = {
  id: "rewrite-1",
  title: "equipment rewrite, 1 writer",
  async run(ctx) {
    const count = sized(ctx, FULL, 4);
    const paths = new Map<ContenderKey, string>();
    for (const c of CONTENDERS) paths.set(c, join(await freshDir(ctx, "rewrite-1", c), "equipment.json"));
    const { blocks, byKey } = await runInterleaved(ctx, CONTENDERS, count, (c, n) => rewriteWorker(ctx, c, paths.get(c) ?? "", n, 0, `rewrite-1 ${c}`));
    const rows: Row[] = CONTENDERS.map((c) => {
      const { lat, wallNs } = byKey.get(c) ?? { lat: [], wallNs: 0 };
      return { key: c, name: CONTENDER_NAMES[c], ours: c === "ours", summary: summarize(lat, wallNs), extra: {}, raw: { lat, wallNs } };
    });
    const ours = rowOf(rows, "ours").summary;
    const floor = rowOf(rows, "floor").summary;
    const app = rowOf(rows, "app").summary;
    return {
      setup: `${count.toLocaleString("en-US")} sequential rewrites of one equipment.json per contender (lock, read the old file, replace), in ${blocks} interleaved blocks of one process each.`,
      rows,
      extraColumns: [],
      targets: rewriteOneTargets(ours, floor, app),
      checks: [],
    };
  },
};
