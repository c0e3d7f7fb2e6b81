/**
 * The four contenders and the command line that runs each as a worker.
 * Each contender writes in its own directory, so no contender's files (the
 * combination's lock directory, our temp sweep) ever meet another's.
 */
import type { WorkerSpec } from "./_procs.js";
import { benchSource, workerScript } from "./_paths.js";

/** The contenders of the write scenarios. */
export type ContenderKey = "floor" | "ours" | "python" | "combo";

/** Display names. */
export const CONTENDER_NAMES: Record<ContenderKey, string> = {
  floor: "floor (C, blocking flock)",
  ours: "ours (exlab-cache)",
  python: "Python recipe (filelock)",
  combo: "proper-lockfile + write-file-atomic",
};

/** Run order: the floor first, then ours, then the peers. */
export const CONTENDERS: readonly ContenderKey[] = ["floor", "ours", "python", "combo"];

/** Where the external tools are. */
export interface Tools {
  floorBin: string;
  python: string;
}

/** A worker that rewrites `path` `count` times with `pauseMs` between writes. */
export function rewriteWorker(tools: Tools, who: ContenderKey, path: string, count: number, pauseMs: number, label: string): WorkerSpec {
  const n = String(count);
  switch (who) {
    case "floor":
      return { label, command: tools.floorBin, args: ["rewrite", path, n, String(pauseMs * 1000)] };
    case "python":
      return { label, command: tools.python, args: [benchSource("recipe.py"), "rewrite", path, n, String(pauseMs)] };
    default:
      return { label, command: process.execPath, args: [workerScript("rewrite"), who, path, n, String(pauseMs)] };
  }
}

/** A long-lived marker racer; Node racers warm up under `warmupDir` first. */
export function markerWorker(tools: Tools, who: ContenderKey, label: string, warmupDir: string): WorkerSpec {
  switch (who) {
    case "floor":
      return { label, command: tools.floorBin, args: ["marker"] };
    case "python":
      return { label, command: tools.python, args: [benchSource("recipe.py"), "marker"] };
    default:
      return { label, command: process.execPath, args: [workerScript("marker"), who, warmupDir] };
  }
}
