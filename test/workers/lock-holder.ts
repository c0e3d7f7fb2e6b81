/**
 * Takes the locks of every path in argv, prints "locked", and holds them
 * until a line "release" arrives on stdin (or it is killed). Prints
 * "released" after.
 */
import { createInterface } from "node:readline";
import { withFileLock } from "exlab-cache";

const paths = process.argv.slice(2);
const lines = createInterface({ input: process.stdin });
const next = (): Promise<string> => new Promise((resolve) => lines.once("line", resolve));

async function hold(rest: string[]): Promise<void> {
  const [first, ...others] = rest;
  if (first === undefined) {
    process.stdout.write("locked\n");
    while ((await next()) !== "release");
    return;
  }
  await withFileLock(first, () => hold(others));
}

await hold(paths);
process.stdout.write("released\n");
lines.close();
