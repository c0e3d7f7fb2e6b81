/**
 * Appends numbered log lines with appendLogLine, for the concurrent-append
 * tests: `log-appender.js <path> <writer id> <count>`. Prints `ready`,
 * waits for a line on stdin, appends `count` lines, prints `done`.
 * Line i carries the message `<id>#<i>:<n>:<n letters>` (see
 * test/log-append.test.ts), so a torn or merged line is recognisable.
 */
import { createInterface } from "node:readline";
import { appendLogLine } from "exlab-cache";
import { payload } from "../helpers/log-lines.js";

const [path = "", id = "", countArg = "0"] = process.argv.slice(2);
process.stdout.write("ready\n");
const rl = createInterface({ input: process.stdin });
await new Promise<void>((resolve) => rl.once("line", () => resolve()));
rl.close();
for (let i = 0; i < Number(countArg); i++) {
  await appendLogLine(path, { at: new Date(), level: "INFO", host: id, message: payload(id, i) });
}
process.stdout.write("done\n");
