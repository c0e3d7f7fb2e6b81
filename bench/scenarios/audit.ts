/**
 * `problems audit, 50 × 20 × 10`: the application's Problems audit over a
 * generated lab of 50 equipment × 20 projects × 10 runs (about 34,000
 * folders and 42,000 files, the tree the application took 8.7–9.6 s on),
 * against `find` + `cat` of the files the audit reads as the floor. Peak
 * memory is reported for the full tree and for a quarter of it: the walk
 * holds no whole-tree lists, so it should barely move.
 */
import { fmt } from "../_format.js";
import { atMost, rowOf, type Row } from "../_model.js";
import { workerScript } from "../_paths.js";
import { runTogether } from "../_procs.js";
import { summarize } from "../_stats.js";
import { generateLabTree } from "./_lab-tree.js";
import { freshDir, sized, type BenchContext, type Scenario, type TimedRun } from "./_context.js";

const REPEATS = 3;
/** The application's measured time on this tree, best case (digest §11). */
const APP_MS = 8700;

interface AuditRun extends TimedRun {
  rss: number;
  findings: number;
  files: number;
  bytes: number;
}

async function measure(ctx: BenchContext, impl: "ours" | "floor", config: string, root: string): Promise<AuditRun> {
  const [res] = await runTogether<AuditRun>([{ label: `audit ${impl}`, command: process.execPath, args: [workerScript("audit"), impl, config, root, String(REPEATS)] }]);
  if (res === undefined) throw new Error("no answer");
  ctx.log(`audit: ${impl} done`);
  return res;
}

export const auditScenario: Scenario = {
  id: "audit",
  title: "problems audit, 50 × 20 × 10",
  async run(ctx) {
    const equipment = sized(ctx, 50, 2);
    ctx.log(`audit: generating ${equipment} × 20 × 10`);
    const full = generateLabTree(await freshDir(ctx, "audit", "full"), equipment, 20, 10);
    const quarter = generateLabTree(await freshDir(ctx, "audit", "quarter"), Math.max(1, Math.round(equipment / 4)), 20, 10);
    const rows: Row[] = [];
    const add = (key: string, name: string, ours: boolean, r: AuditRun): void => {
      const secs = (r.end - r.start) / 1e9 / REPEATS;
      rows.push({
        key,
        name,
        ours,
        summary: summarize(r.lat, r.end - r.start),
        extra: {
          "files/s": fmt(r.files / secs),
          "MB/s": fmt(r.bytes / 1e6 / secs),
          "peak RSS MB": fmt(r.rss / 1e6),
          findings: ours ? String(r.findings) : "",
        },
        raw: { ...r },
      });
    };
    add("floor", "floor: find + cat of the files read", false, await measure(ctx, "floor", full.config, full.root));
    add("ours", "ours: auditTree", true, await measure(ctx, "ours", full.config, full.root));
    add("ours-quarter", "ours: auditTree, a quarter of the tree", true, await measure(ctx, "ours", quarter.config, quarter.root));
    const ours = rowOf(rows, "ours");
    return {
      setup: `Ours took ${fmt(ours.summary.p50Ms / rowOf(rows, "floor").summary.p50Ms)}× the floor's median. ${equipment} equipment × 20 projects × 10 runs: ${full.folders.toLocaleString("en-US")} folders, ${full.files.toLocaleString("en-US")} files, warm cache, ${REPEATS} audits each in one process (latency = one whole audit). The application took ${APP_MS / 1000}–9.6 s on such a tree.`,
      rows,
      extraColumns: ["files/s", "MB/s", "peak RSS MB", "findings"],
      targets: [
        atMost("ours: one audit of the tree, median (ms)", ours.summary.p50Ms, 900, "ms"),
      ],
      checks: [{ label: "ours found the generated tokens", ok: Number(ours.raw["findings"]) > 0, detail: `${String(ours.raw["findings"])} findings` }],
    };
  },
};
