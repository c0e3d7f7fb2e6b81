/**
 * `equipment rewrite, 4 processes`: four processes rewrite the same
 * equipment.json with a 1 ms pause between writes, so the lock is handed
 * over all the time. Latency is per operation across all processes;
 * fairness compares the processes with each other.
 */
import { join } from "node:path";
import { CONTENDERS, CONTENDER_NAMES, rewriteWorker } from "../_contenders.js";
import { fmt, ratio } from "../_format.js";
import { rowOf, type Check, type Row } from "../_model.js";
import { rewriteFourTargets } from "../_targets.js";
import { runTogether } from "../_procs.js";
import { mean, spread, summarize } from "../_stats.js";
import { fileProblem } from "./_files.js";
import { freshDir, sized, type Scenario, type TimedRun } from "./_context.js";

const PROCESSES = 4;
const FULL = 300;
const PAUSE_MS = 1;

export const rewriteFour: Scenario = {
  id: "rewrite-4",
  title: "equipment rewrite, 4 processes",
  async run(ctx) {
    const count = sized(ctx, FULL, 2);
    const rows: Row[] = [];
    const checks: Check[] = [];
    const fairness = new Map<string, number>();
    for (const c of CONTENDERS) {
      ctx.log(`rewrite-4: ${c}, ${PROCESSES} processes × ${count} rewrites`);
      const path = join(await freshDir(ctx, "rewrite-4", c), "equipment.json");
      const specs = Array.from({ length: PROCESSES }, (_, i) => rewriteWorker(ctx, c, path, count, PAUSE_MS, `${c}#${i}`));
      const runs = await runTogether<TimedRun>(specs);
      const means = runs.map((r) => mean(r.lat));
      const totals = runs.map((r) => r.end - r.start);
      const wall = Math.max(...runs.map((r) => r.end)) - Math.min(...runs.map((r) => r.start));
      fairness.set(c, spread(means));
      rows.push({
        key: c,
        name: CONTENDER_NAMES[c],
        ours: c === "ours",
        summary: summarize(runs.flatMap((r) => r.lat), wall),
        extra: {
          "process means ms": means.map((m) => fmt(m / 1e6)).join(" / "),
          "fairness (means)": ratio(spread(means)),
          "fairness (totals)": ratio(spread(totals)),
        },
        raw: { processes: runs },
      });
      const problem = await fileProblem(path);
      checks.push({ label: `${CONTENDER_NAMES[c]} leaves one whole file`, ok: problem === undefined, detail: problem ?? "parsed, no temp files left" });
    }
    const ours = rowOf(rows, "ours").summary;
    const floor = rowOf(rows, "floor").summary;
    const app = rowOf(rows, "app").summary;
    return {
      setup: `${PROCESSES} processes × ${count} rewrites of the same equipment.json per contender, ${PAUSE_MS} ms pause between a process's writes, released together by a start barrier. Fairness: slowest ÷ fastest process (mean latency; total time).`,
      rows,
      extraColumns: ["process means ms", "fairness (means)", "fairness (totals)"],
      targets: rewriteFourTargets(ours, floor, app, fairness.get("ours") ?? Number.NaN),
      checks,
    };
  },
};
