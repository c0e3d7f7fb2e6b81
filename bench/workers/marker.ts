/**
 * Marker racer: `marker.js <ours|combo> <warmup_dir>`. For every line
 * "<path> <racer>" it tries once to create the marker at `path` (stamping
 * second `racer`) and answers {won, start, end} (ns). Exits at end of input.
 * Before `ready` it creates (and re-asks for) a few markers of its own under
 * `warmup_dir`, untimed, so the race sees compiled code.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { markerCreatedAt } from "../contenders/_record.js";
import { nodeContender } from "../contenders/index.js";
import { emit, intArg, nextLine, now, strArg } from "./_protocol.js";

const contender = nodeContender(process.argv[2]);
const warmupDir = strArg(process.argv[3], "warmup_dir");
const WARMUP = 10;

for (let i = 0; i < WARMUP; i++) {
  const dir = join(warmupDir, String(process.pid), String(i));
  await mkdir(dir, { recursive: true });
  await contender.createMarker(join(dir, "test_runs.json"), markerCreatedAt(0));
  await contender.createMarker(join(dir, "test_runs.json"), markerCreatedAt(1));
}
process.stdout.write("ready\n");
for (let line = await nextLine(); line !== undefined; line = await nextLine()) {
  const [path, racer] = line.split(" ");
  const createdAt = markerCreatedAt(intArg(racer, "racer"));
  const start = now();
  const won = await contender.createMarker(path ?? "", createdAt);
  emit({ won: won ? 1 : 0, start, end: now() });
}
