/**
 * Options for `checkTree` and `listTree` from the command line: a progress
 * line on a terminal, and the walk abandoned when the process is asked to
 * stop.
 */
import type { TreeOptions } from "../tree/walk.js";
import type { CliIo } from "./io.js";
import { progressLine } from "./progress.js";

/**
 * Run `walk` with a progress line for `verb` ("checking"), erased when it ends.
 *
 * @example
 * ```ts
 * const report = await withProgress(io, "checking", (options) => checkTree(root, options));
 * ```
 */
export async function withProgress<T>(io: CliIo, verb: string, walk: (options: TreeOptions) => Promise<T>): Promise<T> {
  const progress = progressLine(io, verb);
  try {
    return await walk({ onProgress: (p) => progress.update(p) });
  } finally {
    progress.done();
  }
}
