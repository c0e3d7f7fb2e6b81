/**
 * Read worker: `read.js <ours|floor> <path> <count> <in_flight>`.
 * "ours" reads with `EquipmentCacheWriter.readEquipment` (bounded read,
 * schema-major gate, full validation); "floor" is a bare synchronous
 * `readFileSync` + `JSON.parse` (in_flight must be 1). Answers
 * {start, end, lat[]} (ns). Both first read {@link WARMUP} times, untimed.
 */
import { readFileSync } from "node:fs";
import { EquipmentCacheWriter } from "exlab-cache";
import { done, emit, intArg, now, readyThenGo, strArg } from "./_protocol.js";

const [impl, pathArg, countArg, flightArg] = process.argv.slice(2);
const path = strArg(pathArg, "path");
const count = intArg(countArg, "count");
const inFlight = Math.max(1, intArg(flightArg, "in_flight"));
const lat: number[] = new Array<number>(count);
const WARMUP = 500;

const writer = new EquipmentCacheWriter();

async function runOurs(): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const t0 = now();
      await writer.readEquipment(path);
      lat[i] = now() - t0;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
}

function runFloor(): void {
  for (let i = 0; i < count; i++) {
    const t0 = now();
    JSON.parse(readFileSync(path, "utf8"));
    lat[i] = now() - t0;
  }
}

if (impl !== "ours" && impl !== "floor") throw new Error(`unknown reader ${String(impl)}`);
for (let i = 0; i < WARMUP; i++) {
  if (impl === "ours") await writer.readEquipment(path);
  else JSON.parse(readFileSync(path, "utf8"));
}
await readyThenGo();
const start = now();
if (impl === "ours") await runOurs();
else runFloor();
emit({ start, end: now(), lat });
done();
