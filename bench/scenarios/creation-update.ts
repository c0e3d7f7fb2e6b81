/**
 * `creation.json update, 1 writer`: sequential read-modify-writes of one
 * run-level creation.json (cache-family example B, sync_status flipped each
 * time), uncontended: ours (`setSyncStatus`), the C floor (flock, read,
 * write, fsync, rename, directory fsync) and the Python recipe (FileLock,
 * json decode, mutate, encode, mkstemp, fsync, os.replace), called directly
 * and through asyncio.to_thread as the application does, in interleaved
 * blocks.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CONTENDER_NAMES, pythonWorker, type ContenderKey } from "../_contenders.js";
import { atMost, rowOf, type Row } from "../_model.js";
import { workerScript } from "../_paths.js";
import type { WorkerSpec } from "../_procs.js";
import { summarize } from "../_stats.js";
import { UNCONTENDED_FLOOR_LIMIT } from "../_targets.js";
import { BLOCKS, runInterleaved } from "./_blocks.js";
import { freshDir, sized, splitCount, type BenchContext, type Scenario } from "./_context.js";

const FULL = 2000;
/** Untimed updates per Node process before its block (see rewrite-1: V8 compiles meanwhile). */
const NODE_WARMUP = 7000;

/** cache-family §3.8 example B: a run as the controller shapes it. */
export const CREATION_B =
  '{"schema_version":"1.9","created_at":"2026-04-17T14:32:00Z","created_by":"asmith","level":"run","run_kind":"experimental","lims_project":{"uid":"8c7e9d2f-1a4b-4e6c-9b3d-7f2a1e5d8c4b","short_id":"PROJ-0042","name_at_creation":"Cortex Q3 Pilot"},"template":{"name":"confocal_run_v2","version":"2.1","source_path":"/data/lab/CONFOCAL_01/.exlab-wizard/templates/run_confocal_run_v2","run_scope":"both"},"variables":{"operator":"asmith","laser_nm":488},"paths":{"local":"/data/lab/CONFOCAL_01/Cortex Q3 Pilot/Runs/Run_2026-04-17T14-32","nas":"//nas01/lab/CONFOCAL_01"},"orchestrator":{"enabled":true,"host":"labpc-04","label":"Lab Acquisition Station 01","equipment_label":"Confocal Microscope 1","completeness_signal":"sentinel_file","sentinel_filename":"run_complete"}}';

type Key = Extract<ContenderKey, "floor" | "ours" | "app" | "python">;
const KEYS: readonly Key[] = ["floor", "ours", "app", "python"];

function worker(ctx: BenchContext, who: Key, path: string, count: number, warmup: number): WorkerSpec {
  const label = `creation-update ${who}`;
  const n = String(count);
  switch (who) {
    case "floor":
      return { label, command: ctx.floorBin, args: ["update", path, n, "0"] };
    case "python":
      return pythonWorker(ctx, label, ["update", path, n, "0"]);
    case "app":
      return pythonWorker(ctx, label, ["app-update", path, n, "0"]);
    default:
      return { label, command: process.execPath, args: [workerScript("creation"), path, n, "0", String(warmup)] };
  }
}

export const creationUpdate: Scenario = {
  id: "creation",
  title: "creation.json update, 1 writer",
  async run(ctx) {
    const count = sized(ctx, FULL, 4);
    const paths = new Map<Key, string>();
    for (const c of KEYS) {
      const path = join(await freshDir(ctx, "creation", c), "creation.json");
      await writeFile(path, CREATION_B);
      paths.set(c, path);
    }
    const warmup = Math.max(Math.round(NODE_WARMUP * Math.min(1, ctx.scale)), Math.max(...splitCount(count, BLOCKS)) + 1);
    const { blocks, byKey } = await runInterleaved(ctx, KEYS, count, (c, n) => worker(ctx, c, paths.get(c) ?? "", n, warmup));
    const rows: Row[] = KEYS.map((c) => {
      const { lat, wallNs } = byKey.get(c) ?? { lat: [], wallNs: 0 };
      return { key: c, name: CONTENDER_NAMES[c], ours: c === "ours", summary: summarize(lat, wallNs), extra: {}, raw: { lat, wallNs } };
    });
    const fresh = byKey.get("ours")?.fresh ?? [];
    rows.splice(KEYS.indexOf("ours") + 1, 0, {
      key: "ours-fresh",
      name: `ours, a fresh process's first ${fresh.length > 0 ? Math.round(fresh.length / blocks).toLocaleString("en-US") : 0} updates`,
      ours: true,
      summary: summarize(fresh, fresh.reduce((a, b) => a + b, 0)),
      extra: {},
      raw: { lat: fresh },
    });
    const ours = rowOf(rows, "ours").summary;
    const floor = rowOf(rows, "floor").summary;
    const python = rowOf(rows, "python").summary;
    return {
      setup:
        `${count.toLocaleString("en-US")} sequential updates of one run-level creation.json (example B, ${CREATION_B.length} bytes; sync_status flipped each time) per contender, in ${blocks} interleaved blocks of one process each. ` +
        `Each Node process first updates its file ${warmup.toLocaleString("en-US")} times untimed.`,
      rows,
      extraColumns: [],
      targets: [
        atMost(`ours mean ≤ ${UNCONTENDED_FLOOR_LIMIT} × floor mean`, ours.meanMs / floor.meanMs, UNCONTENDED_FLOOR_LIMIT),
        atMost("ours p99 < Python recipe p99", ours.p99Ms / python.p99Ms, 1),
      ],
      checks: [],
    };
  },
};
