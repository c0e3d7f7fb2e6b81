/**
 * `marker race`: 16 long-lived processes race to create the same
 * test_runs.json, in a fresh directory each round. Time to a settled marker
 * is from the parent's go to the moment the last racer has its answer.
 * Every round is checked: exactly one `true`, and the file is the winner's.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { CONTENDERS, CONTENDER_NAMES, markerWorker } from "../_contenders.js";
import { fmt } from "../_format.js";
import type { Check, Row } from "../_model.js";
import { markerTargets } from "../_targets.js";
import { startReady } from "../_procs.js";
import { percentile, summarize } from "../_stats.js";
import { fileProblem } from "./_files.js";
import { markerRoundProblem, type MarkerAnswer } from "./_marker-check.js";
import { freshDir, sized, type Scenario } from "./_context.js";

const RACERS = 16;
const FULL_ROUNDS = 50;

async function readIfThere(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return undefined;
  }
}

export const markerRace: Scenario = {
  id: "marker",
  title: "marker race",
  async run(ctx) {
    const rounds = sized(ctx, FULL_ROUNDS, 2);
    const rows: Row[] = [];
    const checks: Check[] = [];
    const settledP99Ms = new Map<string, number>();
    for (const c of CONTENDERS) {
      ctx.log(`marker: ${c}, ${RACERS} racers × ${rounds} rounds`);
      const warmup = await freshDir(ctx, "marker-warmup", c);
      const racers = await startReady(Array.from({ length: RACERS }, (_, i) => markerWorker(ctx, c, `${c}#${i}`, warmup)));
      const lat: number[] = [];
      const settled: number[] = [];
      const problems: string[] = [];
      const perRound: MarkerAnswer[][] = [];
      try {
        for (let r = 0; r < rounds; r++) {
          const dir = await freshDir(ctx, "marker", c, `round-${r}`, "TestRuns", ".exlab-wizard");
          const path = join(dir, "test_runs.json");
          const go = Number(process.hrtime.bigint());
          racers.forEach((w, i) => w.send(`${path} ${i}`));
          const answers = await Promise.all(racers.map((w) => w.nextJson<MarkerAnswer>()));
          settled.push(Math.max(...answers.map((a) => a.end)) - go);
          lat.push(...answers.map((a) => a.end - a.start));
          perRound.push(answers);
          const problem = markerRoundProblem(answers, await readIfThere(path)) ?? (await fileProblem(path));
          if (problem !== undefined) problems.push(`round ${r}: ${problem}`);
        }
        await Promise.all(racers.map((w) => w.finish()));
      } finally {
        for (const w of racers) w.kill();
      }
      const sortedSettled = [...settled].sort((a, b) => a - b);
      settledP99Ms.set(c, percentile(sortedSettled, 0.99) / 1e6);
      rows.push({
        key: c,
        name: CONTENDER_NAMES[c],
        ours: c === "ours",
        summary: summarize(lat, settled.reduce((a, b) => a + b, 0)),
        extra: {
          "settled p50 ms": fmt(percentile(sortedSettled, 0.5) / 1e6),
          "settled p99 ms": fmt(percentile(sortedSettled, 0.99) / 1e6),
          "settled max ms": fmt(percentile(sortedSettled, 1) / 1e6),
          "one winner": `${rounds - problems.length}/${rounds} rounds`,
        },
        raw: { lat, settled, rounds: perRound },
      });
      checks.push({
        label: `${CONTENDER_NAMES[c]}: exactly one winner per round, and the file is the winner's`,
        ok: problems.length === 0,
        detail: problems.length === 0 ? `${rounds}/${rounds} rounds` : problems.slice(0, 3).join("; "),
      });
    }
    return {
      setup: `${RACERS} processes race to create the same test_runs.json, ${rounds} rounds in a fresh directory each (created beforehand, untimed). Latency columns are per call; "settled" is from the go signal until the last racer has its answer; ops/s counts calls over the summed settle times.`,
      rows,
      extraColumns: ["settled p50 ms", "settled p99 ms", "settled max ms", "one winner"],
      targets: markerTargets(settledP99Ms.get("ours") ?? Number.NaN, settledP99Ms.get("floor") ?? Number.NaN),
      checks,
    };
  },
};
