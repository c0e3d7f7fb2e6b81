/**
 * Run with a tiny UV_THREADPOOL_SIZE. Starts one lock wait per path in argv
 * (all held by another process), then does ordinary fs work and prints
 * "fs-ok" — which only happens if the waits do not occupy the thread pool.
 * Prints "locks-ok" once every wait has been granted.
 */
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { withFileLock } from "exlab-cache";

const paths = process.argv.slice(2);
const waits = paths.map((p) => withFileLock(p, () => p, { timeoutMs: 60_000 }));
const scratch = join(tmpdir(), `pool-probe-${process.pid}`);
for (let i = 0; i < 20; i++) {
  await writeFile(scratch, String(i));
  await readFile(scratch, "utf8");
  await stat(scratch);
}
process.stdout.write("fs-ok\n");
const granted = await Promise.all(waits);
process.stdout.write(granted.length === paths.length ? "locks-ok\n" : "locks-missing\n");
