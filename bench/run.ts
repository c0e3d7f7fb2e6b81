/**
 * The bench runner as a function: compile the floor, run the chosen
 * scenarios, render the markdown report and write the raw numbers as JSON.
 * `bench/main.ts` is its command line; the smoke test calls it directly.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { renderScenario, renderTargets } from "./_format.js";
import type { ScenarioResult } from "./_model.js";
import { PACKAGE_ROOT } from "./_paths.js";
import { killAll } from "./_procs.js";
import { checkPython, compileFloor, machineLine } from "./_tools.js";
import { SCENARIOS, type BenchContext, type Scenario } from "./scenarios/index.js";

/** The filelock the application pins, from the shared tree beside the package. */
export const DEFAULT_FILELOCK = join(PACKAGE_ROOT, "..", "shared", "peers", "filelock-3.29.0");

/** Options of {@link runBench}. */
export interface BenchOptions {
  /** Scenarios to run. @default all, in order */
  scenarios?: readonly Scenario[];
  /** Multiplier of every operation count. @default 1 */
  scale?: number;
  /** Where the JSON file goes. @default bench/results */
  outDir?: string;
  /** Parent of the scratch directory (files written, the floor binary). @default os.tmpdir() */
  workDir?: string;
  /** Python 3 for the Python contenders. @default /usr/bin/python3 */
  python?: string;
  /**
   * Directory holding the `filelock` package they import, put on PYTHONPATH
   * (the version the application pins).
   * @default ../shared/peers/filelock-3.29.0 beside the package root
   */
  filelockDir?: string;
  /** C compiler. @default cc */
  cc?: string;
  /** Progress notes. @default none */
  log?: (message: string) => void;
}

/** What a run produced. */
export interface BenchReport {
  results: ScenarioResult[];
  markdown: string;
  jsonPath: string;
  /** Whether every correctness check passed (targets are reported, not enforced). */
  checksPassed: boolean;
}

/** Run the benchmarks. */
export async function runBench(options: BenchOptions = {}): Promise<BenchReport> {
  const scale = options.scale ?? 1;
  if (!(scale > 0)) throw new RangeError(`Expected \`scale\` to be a number > 0, got \`${String(scale)}\``);
  const python = options.python ?? "/usr/bin/python3";
  const filelockDir = resolve(options.filelockDir ?? DEFAULT_FILELOCK);
  const log = options.log ?? ((): void => undefined);
  const scratch = await mkdtemp(join(options.workDir ?? tmpdir(), "exlab-bench-"));
  if (/\s/.test(scratch)) throw new Error(`the scratch directory must not contain whitespace: ${scratch}`);
  const started = new Date();
  const loadBefore = loadavg()[0] ?? Number.NaN;
  const results: ScenarioResult[] = [];
  let machine: string;
  try {
    const pythonVersion = await checkPython(python, filelockDir);
    const floorBin = await compileFloor(scratch, options.cc);
    const work = join(scratch, "work");
    await mkdir(work);
    machine = await machineLine(work, pythonVersion);
    const ctx: BenchContext = { floorBin, python, filelockDir, work, scale, log };
    for (const scenario of options.scenarios ?? SCENARIOS) {
      const t0 = performance.now();
      const outcome = await scenario.run(ctx);
      results.push({ id: scenario.id, title: scenario.title, ...outcome, durationMs: performance.now() - t0 });
    }
  } finally {
    killAll();
    await rm(scratch, { recursive: true, force: true });
  }

  const total = results.reduce((a, r) => a + r.durationMs, 0);
  // Other work on the machine skews everything; say how busy it was.
  const load = `load average ${loadBefore.toFixed(2)} at start, ${(loadavg()[0] ?? Number.NaN).toFixed(2)} at end`;
  const markdown = [
    "# exlab-cache benchmarks",
    "",
    `${started.toISOString()} · ${machine} · ${load}${scale === 1 ? "" : ` · scale ${scale}`}`,
    "",
    ...results.flatMap((r) => [renderScenario(r), ""]),
    "## Targets",
    "",
    renderTargets(results),
    "",
    `_Total: ${(total / 1000).toFixed(1)} s._`,
    "",
  ].join("\n");

  const outDir = options.outDir ?? join(PACKAGE_ROOT, "bench", "results");
  await mkdir(outDir, { recursive: true });
  const jsonPath = join(outDir, `bench-${started.toISOString().replaceAll(":", "-")}.json`);
  await writeFile(jsonPath, `${JSON.stringify({ started: started.toISOString(), machine, load, scale, results })}\n`);
  return { results, markdown, jsonPath, checksPassed: results.every((r) => r.checks.every((c) => c.ok)) };
}
