/**
 * The five contenders and the command line that runs each as a worker.
 * Each contender writes in its own directory, so no contender's files (the
 * combination's lock directory, our temp sweep) ever meet another's.
 */
import type { WorkerSpec } from "./_procs.js";
import { benchSource, workerScript } from "./_paths.js";

/** The contenders of the write scenarios. */
export type ContenderKey = "floor" | "ours" | "app" | "python" | "combo";

/** Display names. */
export const CONTENDER_NAMES: Record<ContenderKey, string> = {
  floor: "floor (C, blocking flock)",
  ours: "ours (exlab-cache)",
  app: "Python application (asyncio.to_thread)",
  python: "Python recipe, synchronous",
  combo: "proper-lockfile + write-file-atomic",
};

/** Run order: the floor first, then ours, then the peers. */
export const CONTENDERS: readonly ContenderKey[] = ["floor", "ours", "app", "python", "combo"];

/** Where the external tools are. */
export interface Tools {
  floorBin: string;
  python: string;
  /** Directory holding the `filelock` package the Python contenders import (put on PYTHONPATH). */
  filelockDir: string;
}

/** A worker running bench/recipe.py with the chosen filelock. */
export function pythonWorker(tools: Tools, label: string, args: readonly string[]): WorkerSpec {
  return {
    label,
    command: tools.python,
    args: [benchSource("recipe.py"), ...args],
    env: { PYTHONPATH: tools.filelockDir, PYTHONDONTWRITEBYTECODE: "1" },
  };
}

/**
 * A worker that rewrites `path` `count` times with `pauseMs` between writes.
 * Node workers first rewrite it `nodeWarmup` times untimed (their own
 * default when not given); the C and Python workers have nothing to warm up.
 */
export function rewriteWorker(
  tools: Tools,
  who: ContenderKey,
  path: string,
  count: number,
  pauseMs: number,
  label: string,
  nodeWarmup?: number,
): WorkerSpec {
  const n = String(count);
  switch (who) {
    case "floor":
      return { label, command: tools.floorBin, args: ["rewrite", path, n, String(pauseMs * 1000)] };
    case "python":
      return pythonWorker(tools, label, ["rewrite", path, n, String(pauseMs)]);
    case "app":
      return pythonWorker(tools, label, ["app-rewrite", path, n, String(pauseMs)]);
    default:
      return {
        label,
        command: process.execPath,
        args: [workerScript("rewrite"), who, path, n, String(pauseMs), ...(nodeWarmup === undefined ? [] : [String(nodeWarmup)])],
      };
  }
}

/** A long-lived marker racer; Node racers warm up under `warmupDir` first. */
export function markerWorker(tools: Tools, who: ContenderKey, label: string, warmupDir: string): WorkerSpec {
  switch (who) {
    case "floor":
      return { label, command: tools.floorBin, args: ["marker"] };
    case "python":
      return pythonWorker(tools, label, ["marker"]);
    case "app":
      return pythonWorker(tools, label, ["app-marker"]);
    default:
      return { label, command: process.execPath, args: [workerScript("marker"), who, warmupDir] };
  }
}
