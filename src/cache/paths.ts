/**
 * Where the equipment-level cache files live in the tree (§3):
 *
 * ```
 * <local_root>/<EQUIPMENT_ID>/.exlab-wizard/equipment.json
 * <local_root>/<EQUIPMENT_ID>/<project>/TestRuns/.exlab-wizard/test_runs.json
 * <local_root>/<EQUIPMENT_ID>/<project>/Runs/.exlab-wizard/runs.json
 * ```
 *
 * @module
 */
import path, { type PlatformPath } from "node:path";
import { ValidationError, type ValidationIssue } from "../errors.js";
import { EQUIPMENT } from "../schema/equipment.js";
import { RUNS, TEST_RUNS } from "../schema/marker.js";
import type { RecordDescriptor } from "../schema/record.js";
import { ID_MAX, ID_PATTERN, describe, isEquipmentId, projectNameProblem } from "../schema/rules.js";

/** The cache folder kept at every level of the tree. */
export const CACHE_DIR = ".exlab-wizard";
/** File name of the equipment registry record. */
export const EQUIPMENT_FILE = EQUIPMENT.file;
/** File name of the marker under `TestRuns/` (kept from before the folder's rename). */
export const TEST_RUNS_FILE = TEST_RUNS.file;
/** File name of the marker under `Runs/`. */
export const RUNS_FILE = RUNS.file;
/** The folder of test runs in a project. */
export const TEST_RUNS_DIR = TEST_RUNS.place.folder;
/** The folder of experimental runs in a project. */
export const RUNS_DIR = RUNS.place.folder;

/**
 * The three cache file paths joined with the path flavour `p`, arguments
 * assumed valid. Not part of the package's API: it exists so the layout is
 * checked with `path.win32` (drive-letter and UNC roots) on any host.
 *
 * @internal
 * @example
 * ```ts
 * layoutFor(path.win32).equipment("\\\\nas01\\lab", "CONFOCAL_01");
 * // "\\\\nas01\\lab\\CONFOCAL_01\\.exlab-wizard\\equipment.json"
 * ```
 */
export function layoutFor(p: PlatformPath) {
  return {
    equipment: (root: string, id: string): string => joinRecord(p, EQUIPMENT, root, id),
    testRuns: (root: string, id: string, project: string): string => joinRecord(p, TEST_RUNS, root, id, project),
    runs: (root: string, id: string, project: string): string => joinRecord(p, RUNS, root, id, project),
  };
}

/** Where a record of kind `d` lives, joined with the path flavour `p`; arguments assumed valid. */
function joinRecord(p: PlatformPath, d: RecordDescriptor, root: string, id: string, project?: string): string {
  if (d.place.level === "equipment") return p.join(root, id, CACHE_DIR, d.file);
  // A kind kept in every project and run folder: this is its project-level file.
  if (d.place.level === "project-or-run") return p.join(root, id, project as string, CACHE_DIR, d.file);
  return p.join(root, id, project as string, d.place.folder, CACHE_DIR, d.file);
}

/**
 * The issues of the path arguments every record path takes: a root, an
 * equipment id, and (when given) a project folder name.
 *
 * @internal
 */
export function pathArgumentIssues(localRoot: unknown, equipmentId: unknown, ...project: [unknown?]): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (typeof localRoot !== "string" || localRoot.length === 0 || localRoot.includes("\0")) {
    issues.push({
      path: "localRoot",
      expected: "non-empty path",
      received: describe(localRoot),
      message: `Expected \`localRoot\` to be a non-empty path, got ${describe(localRoot)}`,
    });
  }
  if (!isEquipmentId(equipmentId)) {
    const expected = `string matching ${ID_PATTERN} (max ${ID_MAX})`;
    issues.push({
      path: "equipmentId",
      expected,
      received: describe(equipmentId),
      message: `Expected \`equipmentId\` to match ${ID_PATTERN} (max ${ID_MAX}), got ${describe(equipmentId)}`,
    });
  }
  if (project.length > 0) {
    const name = project[0];
    const problem = projectNameProblem(name);
    if (problem !== undefined) {
      issues.push({
        path: "project",
        expected: "a single safe folder name",
        received: describe(name),
        message: `Expected \`project\` to be a single safe folder name, got ${describe(name)} (${problem})`,
      });
    }
  }
  return issues;
}

function checkArgs(localRoot: unknown, equipmentId: unknown, ...project: [unknown?]): void {
  const issues = pathArgumentIssues(localRoot, equipmentId, ...project);
  if (issues.length > 0) throw new ValidationError(issues, { what: "path arguments" });
}

/**
 * Path of the file of record kind `d`: under the equipment folder, or under
 * `project`'s subfolder for a project-level kind.
 *
 * @throws {@link ValidationError} for a bad id, or a project name that is
 *   not one safe path segment (required for a project-level kind).
 */
export function recordPath(d: RecordDescriptor, localRoot: string, equipmentId: string, project?: string): string {
  if (d.place.level === "equipment") {
    checkArgs(localRoot, equipmentId);
  } else {
    checkArgs(localRoot, equipmentId, project);
  }
  // The host's flavour: on Windows, drive-letter (C:\data\lab) and UNC
  // (\\nas01\lab) roots join with backslashes.
  return joinRecord(path, d, localRoot, equipmentId, project);
}

/**
 * Path of `equipment.json` for `equipmentId` under `localRoot`.
 *
 * @throws {@link ValidationError} when the id breaks `^[A-Z][A-Z0-9_]*$` (max 32).
 * @example
 * ```ts
 * equipmentJsonPath("/data/lab", "CONFOCAL_01");
 * // "/data/lab/CONFOCAL_01/.exlab-wizard/equipment.json"
 * ```
 */
export function equipmentJsonPath(localRoot: string, equipmentId: string): string {
  return recordPath(EQUIPMENT, localRoot, equipmentId);
}

/**
 * Path of the `TestRuns/` marker of a project.
 *
 * @throws {@link ValidationError} for a bad id or a project name that is not
 *   one safe path segment (`..`, `a/b`, a NUL byte, over 255 characters...).
 * @example
 * ```ts
 * testRunsMarkerPath("/data/lab", "CONFOCAL_01", "PROJ-0042");
 * // "/data/lab/CONFOCAL_01/PROJ-0042/TestRuns/.exlab-wizard/test_runs.json"
 * ```
 */
export function testRunsMarkerPath(localRoot: string, equipmentId: string, project: string): string {
  return recordPath(TEST_RUNS, localRoot, equipmentId, project);
}

/**
 * Path of the `Runs/` marker of a project.
 *
 * @throws {@link ValidationError} as {@link testRunsMarkerPath} does.
 * @example
 * ```ts
 * runsMarkerPath("/data/lab", "CONFOCAL_01", "PROJ-0042");
 * // "/data/lab/CONFOCAL_01/PROJ-0042/Runs/.exlab-wizard/runs.json"
 * ```
 */
export function runsMarkerPath(localRoot: string, equipmentId: string, project: string): string {
  return recordPath(RUNS, localRoot, equipmentId, project);
}
