/**
 * Walking a tree for `ls` and `check`: the root must be a readable folder,
 * and a terminal gets a progress line while the walk takes long.
 */
import { scanTree, type TreeScan } from "../tree/scan.js";
import { InputError, fromOsError } from "./errors.js";
import type { CliIo } from "./io.js";
import { progressLine } from "./progress.js";

/**
 * Walk the tree at `root`.
 *
 * @throws {@link InputError} when `root` is missing, not a folder or unreadable.
 * @example
 * ```ts
 * const scan = await walk(io, "/data/lab", "checking");
 * ```
 */
export async function walk(io: CliIo, root: string, verb: string): Promise<TreeScan> {
  const progress = progressLine(io, verb);
  try {
    return await scanTree(root, { onProgress: (p) => progress.update(p) });
  } catch (err) {
    const e = fromOsError(err, root);
    if (e instanceof InputError && e.code === "not_found") throw new InputError("not_found", root, "no such folder", { cause: err, osCode: "ENOENT" });
    throw e;
  } finally {
    progress.done();
  }
}
