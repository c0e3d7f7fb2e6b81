/**
 * The walk `checkTree` and `listTree` share: the root must be a folder that
 * can be listed, and its problem is a structured error naming it.
 */
import { InputError, fromOsError } from "../errors.js";
import { scanTree, type ScanProgress, type TreeScan } from "./scan.js";

/** What `checkTree` and `listTree` accept. */
export interface TreeOptions {
  /** Called after every directory or file read with the counts so far. */
  onProgress?: ((progress: ScanProgress) => void) | undefined;
  /** Abandons the walk; the call rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
  /** How many directory or file reads run at once. @default 16 */
  concurrency?: number | undefined;
}

/**
 * Walk the tree at `root`.
 *
 * @throws {@link InputError} `not_found`, `not_a_directory` or `io_error`
 *   when `root` cannot be listed; `PermissionDeniedError` when refused; the
 *   signal's reason when `options.signal` aborts.
 * @example
 * ```ts
 * const scan = await walkRoot("/data/lab", { signal });
 * ```
 */
export async function walkRoot(root: string, options: TreeOptions): Promise<TreeScan> {
  try {
    return await scanTree(root, {
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
      ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
      signal: options.signal,
    });
  } catch (err) {
    if (options.signal?.aborted === true && err === options.signal.reason) throw err;
    const e = fromOsError(err, root);
    if (e instanceof InputError && e.code === "not_found") throw new InputError("not_found", root, "no such folder", { cause: err, osCode: "ENOENT" });
    throw e;
  }
}
