/**
 * Audit worker: `audit.js <ours|floor> <config.yaml> <lab root> <repeats>`.
 * "ours" runs `auditTree` over the config's lab; "floor" runs `find` for
 * the same files ours reads (records and scan-eligible files) piped to
 * `cat`. Answers {start, end, lat[] (ns per repeat), rss (bytes), findings,
 * files, bytes}. Both run once untimed first (a warm cache for both).
 */
import { spawnSync } from "node:child_process";
import { auditTree } from "exlab-cache";
import { done, emit, intArg, now, readyThenGo, strArg } from "./_protocol.js";

const [impl, configArg, rootArg, repeatsArg] = process.argv.slice(2);
const config = strArg(configArg, "config");
const root = strArg(rootArg, "root");
const repeats = Math.max(1, intArg(repeatsArg, "repeats"));
const EXT = [".txt", ".md", ".csv", ".tsv", ".json", ".yaml", ".yml", ".toml", ".ini", ".cfg", ".conf", ".xml", ".sh", ".py"];
const FIND = `find '${root}' -type f \\( ${EXT.map((e) => `-iname '*${e}'`).join(" -o ")} \\) -print0 | xargs -0 cat | wc -c`;

let findings = 0;
let files = 0;
let bytes = 0;
async function once(): Promise<void> {
  if (impl === "ours") {
    const r = await auditTree({ config });
    findings = r.findings.length;
    files = r.counts.files;
    bytes = r.counts.bytes;
  } else {
    const r = spawnSync("sh", ["-c", FIND], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`find | cat failed: ${r.stderr}`);
    bytes = Number(r.stdout.trim());
    files = Number(spawnSync("sh", ["-c", `find '${root}' -type f | wc -l`], { encoding: "utf8" }).stdout.trim());
  }
}

if (impl !== "ours" && impl !== "floor") throw new Error(`unknown contender ${String(impl)}`);
await once();
await readyThenGo();
const lat: number[] = [];
const start = now();
for (let i = 0; i < repeats; i++) {
  const t0 = now();
  await once();
  lat.push(now() - t0);
}
emit({ start, end: now(), lat, rss: process.resourceUsage().maxRSS * 1024, findings, files, bytes });
done();
