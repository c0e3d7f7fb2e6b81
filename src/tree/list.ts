/**
 * `listTree`: the equipment registry of a tree, one row per equipment
 * folder, as `exlab-cache ls --json` prints it.
 *
 * @module
 */
import { ExlabCacheError } from "../errors.js";
import { REPORT_VERSION } from "../report.js";
import { RUNS, TEST_RUNS } from "../schema/marker.js";
import { findProblems } from "./rules.js";
import type { EquipmentScan } from "./scan.js";
import { walkRoot, type TreeOptions } from "./walk.js";

/** One equipment folder of a {@link ListReport}. */
export interface ListRow {
  /** The folder name. */
  id: string;
  label: string | null;
  first_seen_at: string | null;
  last_modified_at: string | null;
  /** Project folder names, sorted. */
  projects: string[];
  /** Projects whose `TestRuns/` holds a `test_runs.json`. */
  test_runs: string[];
  /** Projects whose `Runs/` holds a `runs.json`. */
  runs: string[];
  /** Why there is no record to show (`missing_equipment_json`, or the read error's code). */
  error: { code: string; message: string } | null;
}

/** What {@link listTree} returns, and `exlab-cache ls --json` prints. */
export interface ListReport {
  /** The report shape's version, {@link REPORT_VERSION}. */
  version: typeof REPORT_VERSION;
  /** The root, as given. */
  root: string;
  /** One row per equipment folder, sorted by name. */
  equipment: ListRow[];
  /** How many problems `checkTree` finds in the same walk. */
  problems: number;
}

function row(eq: EquipmentScan): ListRow {
  const rec = eq.equipment?.record;
  const withMarker = (folder: string, file: string): string[] =>
    eq.projects.filter((p) => p.runFolders.some((rf) => rf.name === folder && rf.markers.some((m) => m.fileName === file))).map((p) => p.name);
  let error: ListRow["error"] = null;
  const err = eq.error ?? eq.equipment?.error;
  if (err !== undefined) error = { code: err instanceof ExlabCacheError ? err.code : (err.code ?? "io_error"), message: err.message };
  else if (eq.equipment === undefined) error = { code: "missing_equipment_json", message: "no .exlab-wizard/equipment.json" };
  return {
    id: eq.name,
    label: rec?.label ?? null,
    first_seen_at: rec?.first_seen_at ?? null,
    last_modified_at: rec?.last_modified_at ?? null,
    projects: eq.projects.map((p) => p.name),
    test_runs: withMarker(TEST_RUNS.place.folder, TEST_RUNS.file),
    runs: withMarker(RUNS.place.folder, RUNS.file),
    error,
  };
}

/**
 * Walk the tree at `root` (reading only cache files) and list its equipment
 * folders with their registry records and which projects are marked.
 *
 * @throws {@link InputError} when `root` is missing, not a folder or cannot
 *   be listed; the signal's reason when `options.signal` aborts.
 * @example
 * ```ts
 * const { equipment } = await listTree("/data/lab");
 * for (const e of equipment) console.log(e.id, e.label, e.projects.length);
 * ```
 */
export async function listTree(root: string, options: TreeOptions = {}): Promise<ListReport> {
  const scan = await walkRoot(root, options);
  return { version: REPORT_VERSION, root, equipment: scan.equipment.map(row), problems: findProblems(scan).length };
}
