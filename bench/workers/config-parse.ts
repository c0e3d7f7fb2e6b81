/**
 * Config parse worker: `config-parse.js <config> <count> <root>`. Runs
 * `syncFromConfig` (dry run, under `root`) on the config `count` times, as
 * a reader of the library would, and answers one JSON line: each run's
 * time (ns), its outcome (`parsed`, or the refusal's code) and the
 * process's peak resident set (bytes), which includes any worker thread
 * the parse ran in.
 */
import { ExlabCacheError, syncFromConfig } from "exlab-cache";
import { intArg, now, strArg } from "./_protocol.js";

const [configArg, countArg, rootArg] = process.argv.slice(2);
const config = strArg(configArg, "config");
const count = intArg(countArg, "count");
const root = strArg(rootArg, "root");

const lat: number[] = [];
const outcomes: string[] = [];
for (let i = 0; i < count; i++) {
  const t0 = now();
  let outcome = "parsed";
  try {
    await syncFromConfig(config, { dryRun: true, root });
  } catch (err) {
    if (!(err instanceof ExlabCacheError)) throw err;
    outcome = err.code;
  }
  lat.push(now() - t0);
  outcomes.push(outcome);
}
// maxRSS is in kibibytes.
process.stdout.write(`${JSON.stringify({ lat, outcomes, peakRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`);
