/**
 * Many-files worker: `many.js <ours|combo> <root> <files> <in_flight> <tick_ms>`.
 * Before `ready` it writes `files` equipment files once (untimed), so the
 * measured writes are rewrites. On go it rewrites each file once with
 * `in_flight` writes outstanding, while a ticker calls `fs.promises.stat`
 * every `tick_ms` and records how long each call took: that is how long an
 * unrelated fs call in the same process waits behind the writes.
 * Answers {start, end, lat[], tick[]} (ns).
 */
import { mkdir, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { nodeContender } from "../contenders/index.js";
import { done, emit, intArg, now, readyThenGo, strArg } from "./_protocol.js";

const [impl, rootArg, filesArg, flightArg, tickArg] = process.argv.slice(2);
const contender = nodeContender(impl);
const root = strArg(rootArg, "root");
const files = intArg(filesArg, "files");
const inFlight = Math.max(1, intArg(flightArg, "in_flight"));
const tickMs = Math.max(1, intArg(tickArg, "tick_ms"));
const paths = Array.from({ length: files }, (_, i) => join(root, `EQ_${String(i).padStart(4, "0")}`, ".exlab-wizard", "equipment.json"));

async function eachInFlight(fn: (path: string, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < paths.length) {
      const i = next++;
      await fn(paths[i] ?? "", i);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
}

// The folders exist beforehand (proper-lockfile cannot lock in a missing
// one), and every file is written once, so each timed call is a rewrite.
await eachInFlight(async (p) => {
  await mkdir(dirname(p), { recursive: true });
  await contender.rewrite(p);
});
await readyThenGo();

const tick: number[] = [];
let running = true;
const ticker = (async () => {
  while (running) {
    await sleep(tickMs);
    const t0 = now();
    await stat(root);
    tick.push(now() - t0);
  }
})();

const lat: number[] = new Array<number>(files);
const start = now();
await eachInFlight(async (p, i) => {
  const t0 = now();
  await contender.rewrite(p);
  lat[i] = now() - t0;
});
const end = now();
running = false;
await ticker;
emit({ start, end, lat, tick });
done();
