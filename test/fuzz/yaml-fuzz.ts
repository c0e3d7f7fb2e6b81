/**
 * `npm run fuzz:yaml [-- --count N] [-- --seed S]`: the differential fuzzer
 * over many documents (200,000 by default). Prints the seed, the count, the
 * disagreements and their rate, and each shrunk disagreement as a fixture
 * case for test/fixtures/pyyaml/cases.json. Exits 1 on any disagreement.
 */
import { fuzzYaml } from "./yaml-differential.js";

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const raw = at >= 0 ? process.argv[at + 1] : process.env[`FUZZ_${name.toUpperCase()}`];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`Expected --${name} to be a whole number, got ${raw}`);
  return n;
}

const seed = option("seed", 20_261_206);
const count = option("count", 200_000);
const shrink = option("shrink", 5);
const report = await fuzzYaml({
  seed,
  count,
  shrink,
  onChunk: (done, bad) => {
    if (done % 10_000 === 0 || done === count) process.stderr.write(`${done}/${count} documents, ${bad} disagreements\n`);
  },
});
const rate = report.count === 0 ? 0 : report.disagreements.length / report.count;
process.stdout.write(`seed ${report.seed}\n`);
process.stdout.write(`documents ${report.count}\n`);
process.stdout.write(`disagreements ${report.disagreements.length}\n`);
process.stdout.write(`rate ${(rate * 100).toFixed(4)}%\n`);
process.stdout.write(`documented differences ${report.expected}\n`);
process.stdout.write(`refused by both ${report.refusedByBoth}\n`);
process.stdout.write(`time ${(report.ms / 1000).toFixed(1)} s\n`);
for (const d of [...report.disagreements.filter((x) => x.shrunk !== undefined), ...report.disagreements.filter((x) => x.shrunk === undefined)].slice(0, 20)) {
  process.stdout.write(`\nseed ${d.seed} run ${d.run}: ${d.why}\n`);
  if (d.shrunk !== undefined) {
    process.stdout.write(`  shrunk: ${d.shrunk.why}\n`);
    process.stdout.write(`  case: ${JSON.stringify({ name: `fuzz seed ${d.seed} run ${d.run}`, base64: d.shrunk.bytes.toString("base64") })}\n`);
    process.stdout.write(`  text: ${JSON.stringify(d.shrunk.bytes.toString("utf8"))}\n`);
  }
}
process.exitCode = report.disagreements.length === 0 ? 0 : 1;
