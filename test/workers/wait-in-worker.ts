/**
 * A worker thread that waits (for ever) for the lock of workerData.path.
 */
import { workerData } from "node:worker_threads";
import { withFileLock } from "exlab-cache";

await withFileLock((workerData as { path: string }).path, () => undefined, { timeoutMs: Infinity });
