/**
 * `checkTree`: every problem of a tree's equipment-level cache files, as
 * `exlab-cache check --json` prints it.
 *
 * @module
 */
import { REPORT_VERSION } from "../report.js";
import { findProblems, type Finding } from "./rules.js";
import { walkRoot, type TreeOptions } from "./walk.js";

/** What {@link checkTree} returns, and `exlab-cache check --json` prints. */
export interface CheckReport {
  /** The report shape's version, {@link REPORT_VERSION}. */
  version: typeof REPORT_VERSION;
  /** The root, as given. */
  root: string;
  /** Equipment folders walked (those named like an id, and others holding `.exlab-wizard/`). */
  equipment_folders: number;
  /** Project folders walked. */
  projects: number;
  /** Every problem, sorted by path, then rule, then message; empty when the tree is clean. */
  findings: Finding[];
}

/**
 * Walk the tree at `root` (reading only cache files, never following a
 * symbolic link) and report every problem.
 *
 * @throws {@link InputError} when `root` is missing, not a folder or cannot
 *   be listed; the signal's reason when `options.signal` aborts.
 * @example
 * ```ts
 * const report = await checkTree("/data/lab", { onProgress: (p) => console.error(p.files) });
 * for (const f of report.findings) console.log(`${f.path}: ${f.rule}: ${f.message}`);
 * ```
 */
export async function checkTree(root: string, options: TreeOptions = {}): Promise<CheckReport> {
  const scan = await walkRoot(root, options);
  return {
    version: REPORT_VERSION,
    root,
    equipment_folders: scan.equipment.length,
    projects: scan.equipment.reduce((n, e) => n + e.projects.length, 0),
    findings: findProblems(scan),
  };
}
