// `npm test`'s last step: the main suite, then (when it passed) the
// platform lanes, and at the very end one summary of every test either run
// skipped for something this machine lacks. Exits non-zero when a run failed.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { summarizeSkips } from "./summary-reporter.mjs";

const scratch = mkdtempSync(join(tmpdir(), "exlab-skips-"));
const log = join(scratch, "skips.jsonl");
let status = 0;
try {
  for (const script of ["test:run", "test:platforms"]) {
    const run = spawnSync("npm", ["run", "--silent", script], { stdio: "inherit", env: { ...process.env, EXLAB_SKIP_LOG: log } });
    status = run.status ?? 1;
    if (status !== 0) {
      process.stderr.write(`npm test: ${script} failed (${run.error?.message ?? `exit ${run.status ?? run.signal}`})\n`);
      break;
    }
  }
  let lines = [];
  try {
    lines = readFileSync(log, "utf8").split("\n").filter((l) => l !== "");
  } catch {
    // nothing was skipped
  }
  process.stdout.write(summarizeSkips(lines.map((l) => JSON.parse(l))));
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
process.exit(status);
