/**
 * Where `creation.json` lives: in the cache folder of every project folder
 * and of every run folder.
 *
 * ```
 * <local_root>/<EQUIPMENT_ID>/<project>/.exlab-wizard/creation.json
 * <local_root>/<EQUIPMENT_ID>/<project>/Runs/Run_<YYYY-MM-DDTHH-MM>/.exlab-wizard/creation.json
 * <local_root>/<EQUIPMENT_ID>/<project>/TestRuns/TestRun_<YYYY-MM-DDTHH-MM>/.exlab-wizard/creation.json
 * ```
 *
 * @module
 */
import path from "node:path";
import { ValidationError, type ValidationIssue } from "../errors.js";
import { CREATION } from "../schema/kinds/creation.js";
import { describe } from "../schema/rules.js";
import { CACHE_DIR, RUNS_DIR, TEST_RUNS_DIR, pathArgumentIssues } from "./paths.js";

/** File name of the provenance record of a project or run folder. */
export const CREATION_FILE = CREATION.file;

/** A run folder name: `Run_…` (under `Runs/`) or `TestRun_…` (under `TestRuns/`). */
const RUN_FOLDER = /^(Run|TestRun)_(.+)$/;

/**
 * Why `name` cannot be a run folder name, or undefined. The part after the
 * prefix is usually `YYYY-MM-DDTHH-MM`, but a folder the application made
 * from a template with a leftover placeholder is a run too (and the one an
 * operator most needs an override on), so only what could lead out of the
 * folder or misname it is refused: separators, NUL and other control
 * characters, `:` (a Windows stream name), a trailing dot or space, or more
 * than 255 characters.
 */
function runFolderProblem(name: unknown): string | undefined {
  if (typeof name !== "string") return "not a string";
  if (!RUN_FOLDER.test(name)) return "it does not start with Run_ or TestRun_ followed by a name";
  if (name.length > 255) return "longer than 255 characters";
  // eslint-disable-next-line no-control-regex
  if (/[/\\:\u0000-\u001f\u007f]/.test(name)) return "it holds a path separator, a colon or a control character";
  if (/[. ]$/.test(name)) return "it ends with a dot or a space";
  return undefined;
}

function check(issues: ValidationIssue[]): void {
  if (issues.length > 0) throw new ValidationError(issues, { what: "path arguments" });
}

/**
 * Path of a project's `creation.json`.
 *
 * @throws {@link ValidationError} for an empty root, a bad equipment id, or a
 *   project name that is not one safe folder name; no path leaves `localRoot`.
 * @example
 * ```ts
 * projectCreationPath("/data/lab", "CONFOCAL_01", "Cortex Q3 Pilot");
 * // "/data/lab/CONFOCAL_01/Cortex Q3 Pilot/.exlab-wizard/creation.json"
 * ```
 */
export function projectCreationPath(localRoot: string, equipmentId: string, project: string): string {
  check(pathArgumentIssues(localRoot, equipmentId, project));
  return path.join(localRoot, equipmentId, project, CACHE_DIR, CREATION_FILE);
}

/**
 * Path of a run's `creation.json`. `runFolder` is the run folder's own name:
 * `Run_<…>` is looked for under the project's `Runs/`, `TestRun_<…>` under
 * `TestRuns/`.
 *
 * @throws {@link ValidationError} as {@link projectCreationPath} does, and for a
 *   run folder name that is not `Run_…` or `TestRun_…` as one safe folder name.
 * @example
 * ```ts
 * runCreationPath("/data/lab", "CONFOCAL_01", "Cortex Q3 Pilot", "Run_2026-04-17T14-32");
 * // "/data/lab/CONFOCAL_01/Cortex Q3 Pilot/Runs/Run_2026-04-17T14-32/.exlab-wizard/creation.json"
 * ```
 */
export function runCreationPath(localRoot: string, equipmentId: string, project: string, runFolder: string): string {
  const issues = pathArgumentIssues(localRoot, equipmentId, project);
  const problem = runFolderProblem(runFolder);
  if (problem !== undefined) {
    issues.push({
      path: "runFolder",
      expected: "Run_<name> or TestRun_<name>, one safe folder name",
      received: describe(runFolder),
      message: `Expected \`runFolder\` to be Run_<name> or TestRun_<name>, one safe folder name, got ${describe(runFolder)} (${problem})`,
    });
  }
  check(issues);
  const folder = runFolder.startsWith("TestRun_") ? TEST_RUNS_DIR : RUNS_DIR;
  return path.join(localRoot, equipmentId, project, folder, runFolder, CACHE_DIR, CREATION_FILE);
}
