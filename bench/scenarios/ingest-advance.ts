/**
 * `ingest advance, 1 writer`: sequential forward steps of ingest.json
 * files, uncontended, each file taken from `staging` through `cleared`.
 * The floor is the C recipe's read-modify-write of an ingest.json of the
 * same size (lock, read, temp write, fsync, rename, directory fsync); ours
 * is `IngestCacheWriter.advance`; the Python application's is its
 * `append_state_transition` through `asyncio.to_thread`, and the same call
 * made synchronously. Contenders run in interleaved blocks.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseIngest } from "exlab-cache";
import { CONTENDER_NAMES, pythonWorker, type ContenderKey } from "../_contenders.js";
import { rowOf, type Check, type Row } from "../_model.js";
import { rewriteOneTargets } from "../_targets.js";
import { workerScript } from "../_paths.js";
import type { WorkerSpec } from "../_procs.js";
import { summarize } from "../_stats.js";
import { runInterleaved } from "./_blocks.js";
import { sized, type Scenario } from "./_context.js";

const FULL = 2000;
/** Untimed advances per Node process before its block. */
const NODE_WARMUP = 400;
const KEYS: readonly ContenderKey[] = ["floor", "ours", "app", "python"];
/** An ingest.json after three steps: what a late advance reads and writes. */
const THREE_STEPS =
  '{"schema_version":"1.1","project_name":"Cortex Q3 Pilot","equipment_id":"CONFOCAL_01","run_kind":"experimental","run_path":"CONFOCAL_01/PROJ-0042/Runs/Run_2026-04-17T14-32","transport":"smb_mount","current_state":"sync_verified","history":[{"state":"staging","at":"2026-04-17T14:35:00Z","host":"labpc-04"},{"state":"complete","at":"2026-12-06T07:19:58Z","host":"labpc-04","files_received":142,"bytes_received":48293847234},{"state":"sync_queued","at":"2026-12-06T07:19:58Z","host":"labpc-04"},{"state":"sync_verified","at":"2026-12-06T07:19:58Z","host":"labpc-04","nas_path":"//nas01/lab/X","checksum_file":".exlab-wizard/checksums.sha256"}]}';

export const ingestAdvance: Scenario = {
  id: "ingest-advance",
  title: "ingest advance, 1 writer",
  async run(ctx) {
    const count = sized(ctx, FULL, 8);
    // Scaled down for quick looks, never up.
    const warmup = Math.max(8, Math.round(NODE_WARMUP * Math.min(1, ctx.scale)));
    const dirs = new Map<ContenderKey, string[]>(KEYS.map((k) => [k, []]));
    // One fresh folder per contender and block: a file that reached `cleared` cannot be advanced again.
    const spec = (key: ContenderKey, n: number): WorkerSpec => {
      const mine = dirs.get(key) ?? [];
      const dir = join(ctx.work, "ingest-advance", key, `block-${mine.length}`);
      mkdirSync(dir, { recursive: true });
      mine.push(dir);
      const label = `ingest-advance ${key}`;
      if (key === "floor") {
        const path = join(dir, "ingest.json");
        writeFileSync(path, THREE_STEPS);
        return { label, command: ctx.floorBin, args: ["update", path, String(n), "0"] };
      }
      if (key === "ours") return { label, command: process.execPath, args: [workerScript("ingest-advance"), dir, String(n), String(warmup)] };
      return pythonWorker(ctx, label, [key === "app" ? "app-advance" : "advance", join(dir, "timed"), String(n), "0"]);
    };
    const { blocks, byKey } = await runInterleaved(ctx, KEYS, count, spec);
    const rows: Row[] = KEYS.map((k) => {
      const { lat, wallNs } = byKey.get(k) ?? { lat: [], wallNs: 0 };
      const name = k === "floor" ? "floor (C, lock + read + replace of an ingest.json)" : k === "ours" ? "ours (IngestCacheWriter.advance)" : CONTENDER_NAMES[k];
      return { key: k, name, ours: k === "ours", summary: summarize(lat, wallNs), extra: {}, raw: { lat, wallNs } };
    });
    const checks: Check[] = [];
    for (const k of ["ours", "app", "python"] as const) {
      let files = 0;
      let bad = "";
      for (const dir of dirs.get(k) ?? []) {
        for (let i = 0; ; i++) {
          let text: string;
          try {
            text = await readFile(join(dir, "timed", `run-${i}`, ".exlab-wizard", "ingest.json"), "utf8");
          } catch {
            break;
          }
          files++;
          const record = parseIngest(Buffer.from(text));
          const states = record.history.map((e) => String(e["state"] as string)).join(",");
          if (!"staging,complete,sync_queued,sync_verified,cleared".startsWith(states)) bad = `${dir} run-${i}: ${states}`;
        }
      }
      checks.push({ label: `${CONTENDER_NAMES[k]}: every history one consistent forward path`, ok: bad === "" && files > 0, detail: bad === "" ? `${files} files` : bad });
    }
    const ours = rowOf(rows, "ours").summary;
    return {
      setup: `${count.toLocaleString("en-US")} sequential advances per contender, each ingest.json taken from staging to cleared (4 advances per file), in ${blocks} interleaved blocks of one process each; each Node process first makes ${warmup.toLocaleString("en-US")} advances untimed.`,
      rows,
      extraColumns: [],
      // The same bar as an equipment rewrite: an advance is one locked read-modify-write too.
      targets: rewriteOneTargets(ours, rowOf(rows, "floor").summary, rowOf(rows, "app").summary),
      checks,
    };
  },
};
