/**
 * Log read worker: `log-read.js <ours|cat> <folder> <count>`. Reads the
 * folder's logs `count` times and answers {start, end, lat[], records}
 * (ns). "ours" iterates `readLog(folder)` to the end, counting records;
 * "cat" runs `cat` on every `wizard.*.log` of the folder with its output
 * to /dev/null, timed from the spawn to the exit.
 */
import { spawn } from "node:child_process";
import { openSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { readLog } from "exlab-cache";
import { done, emit, intArg, now, readyThenGo, strArg } from "./_protocol.js";

const [impl, folderArg, countArg] = process.argv.slice(2);
const folder = strArg(folderArg, "folder");
const count = intArg(countArg, "count");
const files = (await readdir(folder)).filter((n) => /^wizard\..+\.log$/.test(n)).sort().map((n) => join(folder, n));
const devNull = openSync("/dev/null", "w");

async function ours(): Promise<number> {
  let n = 0;
  for await (const r of readLog(folder)) if (r.kind === "entry") n++;
  return n;
}

function cat(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn("cat", files, { stdio: ["ignore", devNull, "inherit"] });
    child.once("error", reject);
    child.once("close", (code) => (code === 0 ? resolve(0) : reject(new Error(`cat exited with ${String(code)}`))));
  });
}

const run = impl === "cat" ? cat : ours;
await readyThenGo();
const lat: number[] = [];
let records = 0;
const start = now();
for (let i = 0; i < count; i++) {
  const t0 = now();
  records = await run();
  lat.push(now() - t0);
}
emit({ start, end: now(), lat, records });
done();
