/**
 * `config parse bounds`: each shipped adversarial config (test/fixtures/
 * config-bounds) read through `syncFromConfig` (dry run), in a fresh
 * process per config so that its peak resident set is its own. Targets:
 * the worst parse or refusal within 2 s, the process's peak memory within
 * 256 MB, whatever the config.
 */
import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { BOUNDS_FIXTURES } from "../../test/fixtures/config-bounds/index.js";
import { atMost, type Check, type Row, type Target } from "../_model.js";
import { workerScript } from "../_paths.js";
import { summarize } from "../_stats.js";
import { CONFIG_PARSE_MS, CONFIG_PEAK_MB } from "../_targets.js";
import { freshDir, sized, type Scenario } from "./_context.js";

const FULL = 5;

interface ParseRun {
  lat: number[];
  outcomes: string[];
  peakRssBytes: number;
}

function runWorker(config: string, count: number, root: string): Promise<ParseRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [workerScript("config-parse"), config, String(count), root], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.once("error", reject);
    child.once("exit", (code) => {
      if (code !== 0) reject(new Error(`config-parse ${config} exited ${String(code)}: ${stderr.slice(0, 500)}`));
      else resolve(JSON.parse(stdout) as ParseRun);
    });
  });
}

export const configBounds: Scenario = {
  id: "config-bounds",
  title: "config parse bounds",
  async run(ctx) {
    const count = sized(ctx, FULL, 2);
    const dir = await freshDir(ctx, "config-bounds");
    const rows: Row[] = [];
    const targets: Target[] = [];
    const checks: Check[] = [];
    for (const fixture of BOUNDS_FIXTURES) {
      const config = join(dir, `${fixture.name}.yaml`);
      const text = fixture.text();
      await writeFile(config, text);
      const wall0 = process.hrtime.bigint();
      const run = await runWorker(config, count, join(dir, "root"));
      const wallNs = Number(process.hrtime.bigint() - wall0);
      const summary = summarize(run.lat, wallNs);
      const peakMb = run.peakRssBytes / 1e6;
      ctx.log(`config-bounds: ${fixture.name}: ${run.outcomes.join(", ")}, worst ${summary.maxMs.toFixed(0)} ms, peak ${peakMb.toFixed(0)} MB`);
      rows.push({
        key: fixture.name,
        name: `${fixture.name}: ${fixture.about}`,
        ours: true,
        summary,
        extra: { outcome: [...new Set(run.outcomes)].join(" / "), "peak RSS MB": peakMb.toFixed(0), bytes: String(Buffer.byteLength(text)) },
        raw: { lat: run.lat, outcomes: run.outcomes, peakRssBytes: run.peakRssBytes },
      });
      targets.push(atMost(`${fixture.name}: worst parse or refusal ≤ ${CONFIG_PARSE_MS} ms`, summary.maxMs, CONFIG_PARSE_MS, "ms"));
      targets.push(atMost(`${fixture.name}: peak memory of the process ≤ ${CONFIG_PEAK_MB} MB`, peakMb, CONFIG_PEAK_MB, "MB"));
      const allowed = fixture.expect === "bounded" ? ["parsed", "yaml_parse_timeout", "yaml_too_complex"] : [fixture.expect];
      const wrong = run.outcomes.filter((o) => !allowed.includes(o));
      checks.push({ label: `${fixture.name}: ${fixture.expect}`, ok: wrong.length === 0, detail: wrong.length === 0 ? `${count} runs` : `got ${wrong.join(", ")}` });
    }
    return {
      setup: `${count} reads of each adversarial config through \`syncFromConfig\` (dry run) in one fresh process per config; time per read, and the process's peak resident set (its parse worker included).`,
      rows,
      extraColumns: ["outcome", "peak RSS MB", "bytes"],
      targets,
      checks,
    };
  },
};
