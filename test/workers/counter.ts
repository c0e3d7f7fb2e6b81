/**
 * Increments the number in argv[2] argv[3] times, each a read-modify-write
 * under withFileLock. A lost update shows up as a final count below the sum.
 */
import { readFile } from "node:fs/promises";
import { atomicWriteFile, withFileLock } from "exlab-cache";

const path = process.argv[2] as string;
const times = Number(process.argv[3]);
for (let i = 0; i < times; i++) {
  await withFileLock(path, async () => {
    let n = 0;
    try {
      n = Number(await readFile(path, "utf8"));
    } catch {
      n = 0;
    }
    await atomicWriteFile(path, String(n + 1), { durable: false });
  });
}
process.stdout.write("done\n");
