/**
 * `log appends, 4 processes`: four processes append log lines to one
 * `wizard.<host>.log` as fast as they can, each line opened, written once
 * with O_APPEND and closed. The floor is that loop in C; ours is
 * `appendLogLine`; the Python application's is its `append_log_line`
 * (`open(path, "a")`, one write). Throughput is all lines over the wall
 * time; every line must come out whole.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseLogLine } from "exlab-cache";
import { pythonWorker } from "../_contenders.js";
import { fmt } from "../_format.js";
import type { Check, Row } from "../_model.js";
import { workerScript } from "../_paths.js";
import { runTogether, type WorkerSpec } from "../_procs.js";
import { mean, spread, summarize } from "../_stats.js";
import { freshDir, sized, type BenchContext, type Scenario, type TimedRun } from "./_context.js";

const PROCESSES = 4;
const FULL = 5000;
/** A typical line: the prefix, two tags and a short message. */
const LINE_BYTES = 160;

interface Appender {
  key: string;
  name: string;
  ours: boolean;
  spec(ctx: BenchContext, path: string, count: number, label: string): WorkerSpec;
}

const APPENDERS: readonly Appender[] = [
  { key: "floor", name: "floor (C, open + O_APPEND write + close)", ours: false, spec: (ctx, path, n, label) => ({ label, command: ctx.floorBin, args: ["append", path, String(n), String(LINE_BYTES)] }) },
  { key: "ours", name: "ours (appendLogLine)", ours: true, spec: (_ctx, path, n, label) => ({ label, command: process.execPath, args: [workerScript("log-append"), path, String(n), String(LINE_BYTES)] }) },
  { key: "app", name: "Python application (open 'a', one write)", ours: false, spec: (ctx, path, n, label) => pythonWorker(ctx, label, ["log-append", path, String(n), String(LINE_BYTES)]) },
];

/** Why the file is not `lines` whole lines of LINE_BYTES, or undefined. */
async function logProblem(path: string, lines: number): Promise<string | undefined> {
  const text = await readFile(path, "utf8");
  const all = text.split("\n");
  if (all.pop() !== "") return "the file does not end with a newline";
  if (all.length !== lines) return `${all.length} lines, expected ${lines}`;
  const bad = all.findIndex((l) => Buffer.byteLength(l) !== LINE_BYTES - 1 || typeof parseLogLine(l) !== "object");
  return bad < 0 ? undefined : `line ${bad + 1} is torn: ${JSON.stringify(all[bad]?.slice(0, 80))}`;
}

export const logAppend: Scenario = {
  id: "log-append",
  title: "log appends, 4 processes",
  async run(ctx) {
    const count = sized(ctx, FULL, 2);
    const rows: Row[] = [];
    const checks: Check[] = [];
    for (const a of APPENDERS) {
      ctx.log(`log-append: ${a.key}, ${PROCESSES} processes × ${count} lines`);
      const path = join(await freshDir(ctx, "log-append", a.key), "wizard.bench.log");
      const runs = await runTogether<TimedRun>(Array.from({ length: PROCESSES }, (_, i) => a.spec(ctx, path, count, `${a.key}#${i}`)));
      const wall = Math.max(...runs.map((r) => r.end)) - Math.min(...runs.map((r) => r.start));
      const means = runs.map((r) => mean(r.lat));
      rows.push({
        key: a.key,
        name: a.name,
        ours: a.ours,
        summary: summarize(runs.flatMap((r) => r.lat), wall),
        extra: { "process means ms": means.map((m) => fmt(m / 1e6)).join(" / "), "fairness (means)": `${fmt(spread(means))}×` },
        raw: { processes: runs },
      });
      const problem = await logProblem(path, PROCESSES * count);
      checks.push({ label: `${a.name}: every line whole, none lost`, ok: problem === undefined, detail: problem ?? `${PROCESSES * count} lines of ${LINE_BYTES} bytes` });
    }
    return {
      setup: `${PROCESSES} processes × ${count} lines of ${LINE_BYTES} bytes appended to one file per contender, released together by a start barrier; each line opens the file, writes once with O_APPEND and closes it, without fsync (as the application does).`,
      rows,
      extraColumns: ["process means ms", "fairness (means)"],
      targets: [],
      checks,
    };
  },
};
