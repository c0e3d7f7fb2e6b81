/**
 * Rewrite worker: `rewrite.js <ours|combo> <path> <count> <pause_ms> [warmup]`.
 * Rewrites one equipment.json `count` times, pausing between writes, and
 * answers {start, end, lat[], fresh[]} (ns).
 *
 * Before `ready` it rewrites the same file `warmup` times (default
 * {@link WARMUP}), untimed as far as `lat` goes, so the timed loop runs the
 * code V8 has finished optimizing. A long warm-up matters: V8 compiles the
 * hot functions of a write on a background thread over the first few
 * thousand writes of a process (see bench/README.md, "Where the tail came
 * from"), and on a small machine each compilation competes with the write's
 * own threads for a core. The first `count` writes of the warm-up (after the
 * very first, which may create the file) are reported as `fresh`: what a
 * fresh process pays while that happens.
 */
import { nodeContender } from "../contenders/index.js";
import { intArg, strArg, warmThenTime } from "./_protocol.js";

const [impl, pathArg, countArg, pauseArg, warmupArg] = process.argv.slice(2);
const contender = nodeContender(impl);
const path = strArg(pathArg, "path");
const count = intArg(countArg, "count");
const pauseMs = intArg(pauseArg, "pause_ms");
/** The warm-up when none is given: enough to reach compiled code. */
const WARMUP = 20;
const warmup = warmupArg === undefined ? WARMUP : intArg(warmupArg, "warmup");

await warmThenTime(count, pauseMs, warmup, () => contender.rewrite(path));
