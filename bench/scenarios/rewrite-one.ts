/**
 * `equipment rewrite, 1 writer`: sequential rewrites of one equipment.json,
 * uncontended. The contenders run in interleaved blocks (floor, ours, the
 * Python application, the synchronous Python recipe, the combination, then
 * again in rotated order) so that drift of a noisy
 * machine spreads over all of them rather than landing on one.
 *
 * Each Node process rewrites its file {@link NODE_WARMUP} times before it is
 * timed, so the table shows code V8 has finished optimizing; the writes a
 * fresh process makes meanwhile are reported in a row of their own.
 */
import { join } from "node:path";
import { CONTENDERS, CONTENDER_NAMES, rewriteWorker, type ContenderKey } from "../_contenders.js";
import { rowOf, type Row } from "../_model.js";
import { rewriteOneTargets } from "../_targets.js";
import { summarize } from "../_stats.js";
import { BLOCKS, runInterleaved } from "./_blocks.js";
import { freshDir, sized, splitCount, type Scenario } from "./_context.js";

const FULL = 2000;

/**
 * Untimed rewrites per Node process before its block. V8 keeps compiling
 * hot functions of the write path (ours and the combination's alike) until
 * about the 5,500th to 6,800th write (measured with `--trace-opt`); every
 * compilation takes a core for 1–30 ms, and the write in flight waits.
 */
export const NODE_WARMUP = 7000;

export const rewriteOne: Scenario = {
  id: "rewrite-1",
  title: "equipment rewrite, 1 writer",
  async run(ctx) {
    const count = sized(ctx, FULL, 4);
    const paths = new Map<ContenderKey, string>();
    for (const c of CONTENDERS) paths.set(c, join(await freshDir(ctx, "rewrite-1", c), "equipment.json"));
    // Scaled down for quick looks, never up: past tier-up, more buys nothing.
    // At least one write more than a block, so every fresh row is whole.
    const warmup = Math.max(Math.round(NODE_WARMUP * Math.min(1, ctx.scale)), Math.max(...splitCount(count, BLOCKS)) + 1);
    const { blocks, byKey } = await runInterleaved(ctx, CONTENDERS, count, (c, n) => rewriteWorker(ctx, c, paths.get(c) ?? "", n, 0, `rewrite-1 ${c}`, warmup));
    const rows: Row[] = CONTENDERS.map((c) => {
      const { lat, wallNs } = byKey.get(c) ?? { lat: [], wallNs: 0 };
      return { key: c, name: CONTENDER_NAMES[c], ours: c === "ours", summary: summarize(lat, wallNs), extra: {}, raw: { lat, wallNs } };
    });
    // A fresh process's first writes, taken from ours' warm-ups: no wall
    // time of their own, so their ops/s is their mean's inverse.
    const fresh = byKey.get("ours")?.fresh ?? [];
    const freshNs = fresh.reduce((a, b) => a + b, 0);
    rows.splice(CONTENDERS.indexOf("ours") + 1, 0, {
      key: "ours-fresh",
      name: `ours, a fresh process's first ${fresh.length > 0 ? Math.round(fresh.length / blocks).toLocaleString("en-US") : 0} writes`,
      ours: true,
      summary: summarize(fresh, freshNs),
      extra: {},
      raw: { lat: fresh },
    });
    const ours = rowOf(rows, "ours").summary;
    const floor = rowOf(rows, "floor").summary;
    const app = rowOf(rows, "app").summary;
    return {
      setup:
        `${count.toLocaleString("en-US")} sequential rewrites of one equipment.json per contender (lock, read the old file, replace), in ${blocks} interleaved blocks of one process each. ` +
        `Each Node process first rewrites its file ${warmup.toLocaleString("en-US")} times untimed, ` +
        (warmup >= NODE_WARMUP ? "until V8 has compiled the write path; " : `fewer than the ${NODE_WARMUP.toLocaleString("en-US")} V8 needs to finish compiling the write path at this scale; `) +
        `the "fresh process" row is ours' first writes of those warm-ups (V8 compiling meanwhile), pooled over the blocks.`,
      rows,
      extraColumns: [],
      targets: rewriteOneTargets(ours, floor, app),
      checks: [],
    };
  },
};
