/**
 * `npm run bench [-- options]`: run the benchmarks, print the markdown
 * report on stdout and write the raw numbers under bench/results/.
 * Progress goes to stderr. Exit status 0 when every correctness check
 * passed (missed performance targets are reported, not failed on), 1 when
 * a check failed or the run broke, 2 for bad arguments.
 */
import { USAGE, UsageError, parseBenchArgs } from "./_args.js";
import { runBench } from "./run.js";
import { SCENARIOS } from "./scenarios/index.js";

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseBenchArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`bench: ${err.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (args.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (args.list === true) {
    for (const s of SCENARIOS) process.stdout.write(`${s.id.padEnd(10)} ${s.title}\n`);
    return 0;
  }
  const report = await runBench({
    ...(args.scenarios.length > 0 ? { scenarios: args.scenarios } : {}),
    scale: args.scale,
    ...(args.out === undefined ? {} : { outDir: args.out }),
    ...(args.dir === undefined ? {} : { workDir: args.dir }),
    ...(args.python === undefined ? {} : { python: args.python }),
    ...(args.filelock === undefined ? {} : { filelockDir: args.filelock }),
    log: (m) => process.stderr.write(`bench: ${m}\n`),
  });
  process.stdout.write(report.markdown);
  process.stderr.write(`bench: raw numbers in ${report.jsonPath}\n`);
  if (!report.checksPassed) process.stderr.write("bench: a correctness check FAILED (see the report)\n");
  return report.checksPassed ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
