/**
 * `readLog over a 100 MB log`: `readLog` iterated to the end over one
 * 100 MB `wizard.<host>.log`, and over four 25 MB files of interleaved
 * times (the merge at work), against `cat` of the same files into
 * /dev/null: what reading the bytes costs with nothing done with them.
 * Blocks are interleaved as in the read scenario.
 */
import { open } from "node:fs/promises";
import { join } from "node:path";
import type { Check, Row } from "../_model.js";
import { fmt } from "../_format.js";
import { workerScript } from "../_paths.js";
import { runTogether, type WorkerSpec } from "../_procs.js";
import { summarize } from "../_stats.js";
import { runInterleaved } from "./_blocks.js";
import { freshDir, type BenchContext, type Scenario } from "./_context.js";

const FULL_BYTES = 100 * 1024 * 1024;
const READS = 4;
const MIN_BYTES = 256 * 1024;

/** Write `files` logs of `total` bytes together, times interleaved across files; returns the entries written. */
async function writeLogs(folder: string, files: number, total: number): Promise<number> {
  const handles = await Promise.all(Array.from({ length: files }, (_, f) => open(join(folder, `wizard.host${f}.log`), "w")));
  const base = Date.parse("2026-04-17T00:00:00Z");
  let written = 0;
  let entries = 0;
  try {
    while (written < total) {
      const parts: string[][] = handles.map(() => []);
      for (let i = 0; i < 4000; i++, entries++) {
        const stamp = `${new Date(base + entries * 1000).toISOString().slice(0, 19)}Z`;
        const run = `TestRun_2026-04-17T${String(entries % 24).padStart(2, "0")}-00`;
        let line = `${stamp} [INFO ] [host:host${entries % files}] [equip:CONFOCAL_01] [proj:PROJ-0042] [kind:test] [run:${run}] step ${entries} done in ${entries % 997} ms\n`;
        // Now and then a traceback, as the application's logging handler would write.
        if (entries % 50 === 0) line += "Traceback (most recent call last):\n  File \"worker.py\", line 12, in run\nOSError: [Errno 28] No space left on device\n";
        parts[entries % files]?.push(line);
        written += Buffer.byteLength(line);
      }
      for (const [f, fh] of handles.entries()) await fh.write(parts[f]?.join("") ?? "");
    }
  } finally {
    await Promise.all(handles.map((h) => h.close()));
  }
  return entries;
}

interface Reader {
  key: string;
  name: string;
  ours: boolean;
  folder: "one" | "four";
  impl: "ours" | "cat";
}

const READERS: readonly Reader[] = [
  { key: "cat", name: "cat > /dev/null, one file", ours: false, folder: "one", impl: "cat" },
  { key: "ours", name: "ours (readLog), one file", ours: true, folder: "one", impl: "ours" },
  { key: "cat-4", name: "cat > /dev/null, 4 files", ours: false, folder: "four", impl: "cat" },
  { key: "ours-4", name: "ours (readLog), 4 files merged", ours: true, folder: "four", impl: "ours" },
];

export const logRead: Scenario = {
  id: "log-read",
  title: "readLog over a 100 MB log",
  async run(ctx: BenchContext) {
    const bytes = Math.max(MIN_BYTES, Math.round(FULL_BYTES * ctx.scale));
    const folders = { one: await freshDir(ctx, "log-read", "one"), four: await freshDir(ctx, "log-read", "four") };
    ctx.log(`log-read: writing ${fmt(bytes / 1048576)} MB of log, as one file and as four`);
    const entries = { one: await writeLogs(folders.one, 1, bytes), four: await writeLogs(folders.four, 4, bytes) };
    const spec = (r: Reader, n: number): WorkerSpec => ({ label: `log-read ${r.key}`, command: process.execPath, args: [workerScript("log-read"), r.impl, folders[r.folder], String(n)] });
    const { blocks, byKey } = await runInterleaved(ctx, READERS, READS, spec);
    const rows: Row[] = READERS.map((r) => {
      const { lat, wallNs } = byKey.get(r) ?? { lat: [], wallNs: 0 };
      const perSecond = lat.length / (wallNs / 1e9);
      return { key: r.key, name: r.name, ours: r.ours, summary: summarize(lat, wallNs), extra: { "MB/s": fmt((perSecond * bytes) / 1048576) }, raw: { lat, wallNs } };
    });
    const checks: Check[] = [];
    for (const r of READERS.filter((x) => x.impl === "ours")) {
      const res = await countEntries(ctx, spec(r, 1));
      checks.push({ label: `${r.name}: every entry read`, ok: res === entries[r.folder], detail: `${res} of ${entries[r.folder]} entries` });
    }
    return {
      setup: `${READS} reads per reader of ${fmt(bytes / 1048576)} MB of log (${entries.one.toLocaleString("en-US")} entries, one in 50 followed by a 3-line traceback), in ${blocks} interleaved blocks; the files are in the page cache after the first read.`,
      rows,
      extraColumns: ["MB/s"],
      targets: [],
      checks,
    };
  },
};

/** One untimed read that counts the entries readLog hands out. */
async function countEntries(ctx: BenchContext, spec: WorkerSpec): Promise<number> {
  ctx.log(`${spec.label}: counting entries`);
  const [res] = await runTogether<{ records: number }>([spec]);
  return res?.records ?? -1;
}
