/**
 * Where a folder sits in an equipment tree, as the application classifies
 * it (by its position under the resolved root), and the `run_path` its
 * findings carry.
 *
 * @module
 */
import { join } from "node:path";

/** A folder's level; only project, run and test_run folders have rules of their own. */
export type Level = "equipment" | "project" | "runs" | "test_runs" | "run" | "test_run" | "other";

/**
 * The level of the folder at `parts` below the root (`[]` is the root).
 *
 * @example
 * ```ts
 * levelOf(["PROJ", "Runs", "Run_2026-04-17T14-32"]); // "run"
 * ```
 */
export function levelOf(parts: readonly string[]): Level {
  const n = parts.length;
  if (n === 0) return "equipment";
  if (n === 1) return "project";
  const second = parts[1] as string;
  if (n === 2) {
    if (second === "Runs") return "runs";
    if (second === "TestRuns") return "test_runs";
    return second.startsWith("Run_") ? "run" : "other";
  }
  if (n === 3) {
    const leaf = parts[2] as string;
    if (second === "Runs" && leaf.startsWith("Run_")) return "run";
    if (second === "TestRuns" && leaf.startsWith("TestRun_")) return "test_run";
  }
  return "other";
}

/**
 * The `run_path` of findings produced at a folder: the folder itself for
 * project, marker and run folders; the root for the root; for any other
 * folder, the run or project it is under, rebuilt from `base`.
 *
 * @param walked the folder's path as walked.
 * @param base the root the other levels are rebuilt from (the application
 *   uses the root's resolved path here, and for the root itself).
 */
export function runPathOf(level: Level, walked: string, base: string, parts: readonly string[]): string {
  switch (level) {
    case "equipment":
      return base;
    case "other": {
      const [p, second, third] = parts as [string, string | undefined, string | undefined];
      if (third !== undefined && (second === "Runs" || second === "TestRuns")) return join(base, p, second, third);
      if (second?.startsWith("Run_") === true) return join(base, p, second);
      return join(base, p);
    }
    default:
      return walked;
  }
}
