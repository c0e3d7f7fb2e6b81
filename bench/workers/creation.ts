/**
 * Creation update worker: `creation.js <path> <count> <pause_ms> <warmup>`.
 * Updates one creation.json `count` times through
 * `CreationCacheWriter.setSyncStatus` (alternating two statuses, as the
 * application's gate and sync calls do), pausing between updates, and
 * answers {start, end, lat[], fresh[]} (ns). Before `ready` it updates the
 * file `warmup` times, untimed; the first `count` of those (after the very
 * first) are reported as `fresh`.
 */
import { CreationCacheWriter } from "exlab-cache";
import { intArg, strArg, warmThenTime } from "./_protocol.js";

const [pathArg, countArg, pauseArg, warmupArg] = process.argv.slice(2);
const path = strArg(pathArg, "path");
const count = intArg(countArg, "count");
const pauseMs = intArg(pauseArg, "pause_ms");
const warmup = intArg(warmupArg, "warmup");
const writer = new CreationCacheWriter();
let flip = false;
const update = async (): Promise<void> => {
  flip = !flip;
  await writer.setSyncStatus(path, flip ? "synced" : "failed");
};

await warmThenTime(count, pauseMs, warmup, update);
