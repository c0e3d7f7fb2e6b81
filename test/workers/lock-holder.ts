/**
 * Takes the lock of argv[2], prints "locked", and holds it until a line
 * "release" arrives on stdin (or it is killed). Prints "released" after.
 */
import { createInterface } from "node:readline";
import { withFileLock } from "exlab-cache";

const path = process.argv[2] as string;
const lines = createInterface({ input: process.stdin });
const next = (): Promise<string> => new Promise((resolve) => lines.once("line", resolve));

await withFileLock(path, async () => {
  process.stdout.write("locked\n");
  while ((await next()) !== "release");
});
process.stdout.write("released\n");
lines.close();
