/**
 * Rewrite worker: `rewrite.js <ours|combo> <path> <count> <pause_ms>`.
 * Rewrites one equipment.json `count` times, pausing between writes, and
 * answers {start, end, lat[]} (ns). Before `ready` it rewrites the file
 * {@link WARMUP} times, untimed, so the timed loop sees compiled code.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { nodeContender } from "../contenders/index.js";
import { done, emit, intArg, now, readyThenGo, strArg } from "./_protocol.js";

const [impl, pathArg, countArg, pauseArg] = process.argv.slice(2);
const contender = nodeContender(impl);
const path = strArg(pathArg, "path");
const count = intArg(countArg, "count");
const pauseMs = intArg(pauseArg, "pause_ms");
const WARMUP = 20;

for (let i = 0; i < WARMUP; i++) await contender.rewrite(path);

await readyThenGo();
const lat: number[] = [];
const start = now();
for (let i = 0; i < count; i++) {
  if (i > 0 && pauseMs > 0) await sleep(pauseMs);
  const t0 = now();
  await contender.rewrite(path);
  lat.push(now() - t0);
}
emit({ start, end: now(), lat });
done();
