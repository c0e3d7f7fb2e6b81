// The reporter of every `node --test` run of the suite: Node's own output
// (spec on a terminal, TAP otherwise, as Node 20 chooses by default), then,
// when tests were skipped for something the machine lacks, one summary of
// what and why, after everything else.
//
// With EXLAB_SKIP_LOG set (test/run-all.mjs sets it), the skips are
// appended to that file as JSON lines instead, so that one summary covers
// the main suite and the platform lanes together.
import { appendFileSync } from "node:fs";
import { relative } from "node:path";
import process from "node:process";
import { Readable } from "node:stream";
import { spec, tap } from "node:test/reporters";

/**
 * The summary of `skips` ({ file, name, reason }), one line per lacking
 * capability with the tests it held back, or "" when nothing was skipped.
 */
export function summarizeSkips(skips) {
  if (skips.length === 0) return "";
  const groups = new Map();
  for (const skip of skips) {
    // A reason names each lacking capability, "; " between them.
    for (const part of skip.reason.split("; ")) {
      const files = groups.get(part) ?? new Map();
      files.set(skip.file, (files.get(skip.file) ?? 0) + 1);
      groups.set(part, files);
    }
  }
  const lines = [`# skipped ${skips.length} test${skips.length === 1 ? "" : "s"} for what this machine lacks (EXLAB_REQUIRE_ALL=1 makes each a failure):`];
  for (const [reason, files] of [...groups].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const count = [...files.values()].reduce((a, b) => a + b, 0);
    const where = [...files].map(([file, n]) => `${file} (${n})`).join(", ");
    lines.push(`#   ${reason}: ${count} test${count === 1 ? "" : "s"} in ${where}`);
  }
  return `${lines.join("\n")}\n`;
}

function fileOf(event) {
  const file = event.data.file;
  return typeof file === "string" ? relative(process.cwd(), file) : "?";
}

export default async function* summaryReporter(source) {
  const skips = [];
  async function* watched() {
    for await (const event of source) {
      const skip = event.data?.skip;
      if (event.type === "test:pass" && skip !== undefined && skip !== false) {
        skips.push({ file: fileOf(event), name: event.data.name, reason: skip === true ? "skipped" : String(skip) });
      }
      yield event;
    }
  }
  const inner = process.stdout.isTTY ? Readable.from(watched()).pipe(new spec()) : tap(watched());
  for await (const chunk of inner) yield chunk;
  const log = process.env.EXLAB_SKIP_LOG;
  if (log !== undefined && log !== "") {
    for (const skip of skips) appendFileSync(log, `${JSON.stringify(skip)}\n`);
    return;
  }
  const summary = summarizeSkips(skips);
  if (summary !== "") yield summary;
}
