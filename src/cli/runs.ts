/**
 * `exlab-cache runs`: every run folder of a tree with its `run_kind` and
 * `sync_status`, read from its `creation.json`, optionally filtered by
 * status — the recovery question "which runs are not synced?".
 *
 * @module
 */
import type { Dirent } from "node:fs";
import { readdir } from "node:fs/promises";
import { join, relative } from "node:path";
import { ExlabCacheError } from "../errors.js";
import { readCacheFile } from "../fs/read.js";
import { CREATION, SYNC_STATUSES, parseCreation } from "../schema/kinds/creation.js";
import { isEquipmentId } from "../schema/rules.js";
import { stringOption, switchOn, type Command } from "./command.js";
import { EXIT_OK, EXIT_PROBLEMS, UsageError, fromOsError } from "./errors.js";
import { count, printJson, styleFor } from "./io.js";
import { displayWidth, escapeText, padDisplay, shownPath } from "./_text.js";

/** One row of `runs --json`. */
export interface RunRowJson {
  /** The run folder, absolute. */
  path: string;
  equipment: string;
  project: string;
  /** `Run_<date>` or `TestRun_<date>`. */
  run: string;
  /** From `creation.json`; null when it cannot be read. */
  run_kind: string | null;
  /** From `creation.json`; null when it cannot be read. */
  sync_status: string | null;
  /** Why `creation.json` cannot be read (`not_found`, `malformed_file`, `schema_major_mismatch`, ...). */
  error: { code: string; message: string } | null;
}

const RUN_FOLDERS: Readonly<Record<string, string>> = { Runs: "Run_", TestRuns: "TestRun_" };
const CACHE = ".exlab-wizard";

/** Sub-folders of `dir` (real folders only: links are not followed, so no loop). */
async function folders(dir: string): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.filter((e) => e.isDirectory() && e.name !== CACHE).map((e) => e.name).sort();
}

async function readRow(path: string, equipment: string, project: string, run: string): Promise<RunRowJson> {
  const file = join(path, CACHE, CREATION.file);
  const row: RunRowJson = { path, equipment, project, run, run_kind: null, sync_status: null, error: null };
  try {
    const record = parseCreation(await readCacheFile(file), file);
    row.run_kind = record.run_kind;
    row.sync_status = record.sync_status;
  } catch (err) {
    const e = fromOsError(err, file);
    if (!(e instanceof ExlabCacheError)) throw e;
    row.error = { code: e.code, message: e.message };
  }
  return row;
}

/** Every `<EQ>/<project>/{Runs/Run_*,TestRuns/TestRun_*}` under `root`, with its record. */
async function scanRuns(root: string): Promise<RunRowJson[]> {
  const rows: Promise<RunRowJson>[] = [];
  for (const eq of (await folders(root)).filter(isEquipmentId)) {
    for (const project of await folders(join(root, eq))) {
      for (const [kindFolder, prefix] of Object.entries(RUN_FOLDERS)) {
        const base = join(root, eq, project, kindFolder);
        for (const run of (await folders(base)).filter((n) => n.startsWith(prefix))) rows.push(readRow(join(base, run), eq, project, run));
      }
    }
  }
  return Promise.all(rows);
}

/** The statuses `--status` names (comma-separated), or undefined for all. */
function statusFilter(value: string | undefined, unsynced: boolean): Set<string> | undefined {
  if (unsynced) {
    if (value !== undefined) throw new UsageError("Expected either --status or --unsynced, not both", "runs");
    return new Set(SYNC_STATUSES.filter((s) => s !== "synced" && s !== "cleaned"));
  }
  if (value === undefined) return undefined;
  const wanted = value.split(",").map((s) => s.trim());
  const unknown = wanted.filter((s) => !(SYNC_STATUSES as readonly string[]).includes(s));
  if (unknown.length > 0 || wanted.length === 0) {
    throw new UsageError(`Expected --status to list ${SYNC_STATUSES.join(", ")} (comma-separated), got \`${escapeText(value)}\``, "runs");
  }
  return new Set(wanted);
}

/** The `runs` command. */
export const runsCommand: Command = {
  name: "runs",
  summary: "List run folders with their run kind and sync status (creation.json)",
  positionals: ["<local_root>"],
  options: [
    { name: "status", type: "string", value: "<list>", help: `Only runs in these statuses, comma-separated (${SYNC_STATUSES.join(", ")})` },
    { name: "unsynced", type: "boolean", help: "Only runs not synced: every status but synced and cleaned" },
  ],
  description: [
    "One row per run folder (<EQUIPMENT_ID>/<project>/Runs/Run_* and TestRuns/TestRun_*) under",
    "<local_root>: its run_kind and sync_status from .exlab-wizard/creation.json. A run whose",
    "creation.json is missing or unreadable is always listed, with the reason, and makes the",
    "exit code 1: nothing says it was synced. Reads only; takes no lock.",
  ].join("\n"),
  example: "runs /data/lab --unsynced",
  async run(args, io) {
    const root = args.positionals[0] ?? "";
    const filter = statusFilter(stringOption(args, "status"), switchOn(args, "unsynced"));
    try {
      await readdir(root);
    } catch (err) {
      throw fromOsError(err, root);
    }
    const all = await scanRuns(root);
    const rows = all.filter((r) => r.error !== null || filter === undefined || filter.has(r.sync_status ?? ""));
    const unreadable = rows.filter((r) => r.error !== null).length;
    const code = unreadable > 0 ? EXIT_PROBLEMS : EXIT_OK;
    if (switchOn(args, "json")) {
      printJson(io, { root, runs: rows, unreadable });
      return code;
    }
    if (rows.length === 0) {
      io.stdout.write(`No ${filter === undefined ? "" : "matching "}run folders under ${shownPath(root)}\n`);
      return code;
    }
    const s = styleFor(io, "stdout");
    const table = [
      ["RUN", "RUN KIND", "SYNC STATUS"],
      ...rows.map((r) => [escapeText(relative(root, r.path)), escapeText(r.run_kind ?? "-"), r.error === null ? escapeText(r.sync_status ?? "-") : `(${r.error.code})`]),
    ];
    const widths = [0, 1].map((c) => Math.max(...table.map((cells) => displayWidth(cells[c] ?? ""))));
    table.forEach((cells, i) => {
      const line = cells.map((c, j) => (j === cells.length - 1 ? c : padDisplay(c, widths[j] ?? 0))).join("  ");
      io.stdout.write(`${i === 0 ? s.bold(line) : rows[i - 1]?.error !== null ? s.red(line) : line}\n`);
    });
    let footer = count(rows.length, "run");
    if (unreadable > 0) footer += `, ${unreadable} without a readable creation.json`;
    io.stdout.write(`${footer}\n`);
    return code;
  },
};
