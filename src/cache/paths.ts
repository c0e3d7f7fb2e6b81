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
import { ID_MAX, ID_PATTERN, describe, isEquipmentId, projectNameProblem } from "../schema/_fields.js";

/** The cache folder kept at every level of the tree. */
export const CACHE_DIR = ".exlab-wizard";
/** File name of the equipment registry record. */
export const EQUIPMENT_FILE = "equipment.json";
/** File name of the marker under `TestRuns/` (kept from before the folder's rename). */
export const TEST_RUNS_FILE = "test_runs.json";
/** File name of the marker under `Runs/`. */
export const RUNS_FILE = "runs.json";
/** The folder of test runs in a project. */
export const TEST_RUNS_DIR = "TestRuns";
/** The folder of experimental runs in a project. */
export const RUNS_DIR = "Runs";

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
    equipment: (root: string, id: string): string => p.join(root, id, CACHE_DIR, EQUIPMENT_FILE),
    testRuns: (root: string, id: string, project: string): string => p.join(root, id, project, TEST_RUNS_DIR, CACHE_DIR, TEST_RUNS_FILE),
    runs: (root: string, id: string, project: string): string => p.join(root, id, project, RUNS_DIR, CACHE_DIR, RUNS_FILE),
  };
}

// The host's flavour: on Windows, drive-letter (C:\data\lab) and UNC
// (\\nas01\lab) roots join with backslashes.
const layout = layoutFor(path);

function checkArgs(localRoot: unknown, equipmentId: unknown, ...project: [unknown?]): void {
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
  if (issues.length > 0) throw new ValidationError(issues, { what: "path arguments" });
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
  checkArgs(localRoot, equipmentId);
  return layout.equipment(localRoot, equipmentId);
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
  checkArgs(localRoot, equipmentId, project);
  return layout.testRuns(localRoot, equipmentId, project);
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
  checkArgs(localRoot, equipmentId, project);
  return layout.runs(localRoot, equipmentId, project);
}
