/**
 * Log append worker: `log-append.js <path> <count> <line_bytes>`. Appends
 * `count` lines of `line_bytes` bytes (newline included) with
 * `appendLogLine`, one awaited at a time, and answers {start, end, lat[]}
 * (ns). Before `ready` it appends {@link WARMUP} lines to a file of its own,
 * untimed, so the timed loop runs compiled code.
 */
import { appendLogLine } from "exlab-cache";
import { done, emit, intArg, now, readyThenGo, strArg } from "./_protocol.js";

const [pathArg, countArg, bytesArg] = process.argv.slice(2);
const path = strArg(pathArg, "path");
const count = intArg(countArg, "count");
const lineBytes = intArg(bytesArg, "line_bytes");
const WARMUP = 300;

/** Line i: the prefix (29 bytes) and `[host:ours] ` (12), then `<i>:` and padding to the size. */
function entry(i: number) {
  const head = `${i}:`;
  return { at: new Date(), level: "INFO", host: "ours", message: head + "x".repeat(Math.max(0, lineBytes - 1 - 41 - head.length)) };
}

for (let i = 0; i < WARMUP; i++) await appendLogLine(`${path}.warmup`, entry(i));
await readyThenGo();
const lat: number[] = [];
const start = now();
for (let i = 0; i < count; i++) {
  const t0 = now();
  await appendLogLine(path, entry(i));
  lat.push(now() - t0);
}
emit({ start, end: now(), lat });
done();
