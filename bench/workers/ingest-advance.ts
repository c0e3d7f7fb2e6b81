/**
 * ingest.json advance worker: `ingest-advance.js <dir> <count> [warmup]`.
 * Creates ceil(count / 4) ingest.json files under `<dir>` (untimed), then
 * makes `count` advances, each file through complete, sync_queued,
 * sync_verified and cleared in turn, one awaited at a time, and answers
 * {start, end, lat[]} (ns). Before `ready` it makes `warmup` advances on
 * files of its own, untimed, so the timed loop runs compiled code.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { IngestCacheWriter, type IngestState } from "exlab-cache";
import { done, emit, intArg, now, readyThenGo, strArg } from "./_protocol.js";

const [dirArg, countArg, warmupArg] = process.argv.slice(2);
const dir = strArg(dirArg, "dir");
const count = intArg(countArg, "count");
const warmup = warmupArg === undefined ? 400 : intArg(warmupArg, "warmup");
const STEPS: readonly IngestState[] = ["complete", "sync_queued", "sync_verified", "cleared"];
const RUN = { project_name: "Cortex Q3 Pilot", equipment_id: "CONFOCAL_01", run_kind: "experimental", run_path: "CONFOCAL_01/PROJ-0042/Runs/Run_2026-04-17T14-32", transport: "smb_mount" } as const;
const ingest = new IngestCacheWriter({ host: "bench" });

/** Create the files `count` advances need under `base`; their paths. */
async function prepare(base: string, n: number): Promise<string[]> {
  const paths: string[] = [];
  for (let i = 0; i < Math.ceil(n / STEPS.length); i++) {
    const folder = join(base, `run-${i}`, ".exlab-wizard");
    await mkdir(folder, { recursive: true });
    const path = join(folder, "ingest.json");
    await ingest.create(path, RUN);
    paths.push(path);
  }
  return paths;
}

/** Advance `k`: the file and the step it takes. */
const step = (paths: readonly string[], k: number) => ingest.advance(paths[Math.floor(k / STEPS.length)] as string, STEPS[k % STEPS.length] as IngestState, k % STEPS.length === 0 ? { files_received: 142, bytes_received: 48293847234 } : {});

const warm = await prepare(join(dir, "warmup"), warmup);
for (let k = 0; k < warmup; k++) await step(warm, k);
const paths = await prepare(join(dir, "timed"), count);
await readyThenGo();
const lat: number[] = [];
const start = now();
for (let k = 0; k < count; k++) {
  const t0 = now();
  await step(paths, k);
  lat.push(now() - t0);
}
emit({ start, end: now(), lat });
done();
