/**
 * Reads one equipment.json in a tight loop until stdin closes, alternating
 * the library's reader and a plain readFile + JSON.parse (what any other
 * program would do). Every read must be one whole numbered version (see
 * test/helpers/versions.ts), and each writer's versions must never be seen
 * going backwards. Prints "ready" after the first read, then one JSON line:
 * the summary, or the first failure (and exits 1).
 *
 * argv: <path> <equipmentId>
 */
import { readFile } from "node:fs/promises";
import { EquipmentCacheWriter } from "exlab-cache";
import { FIRST_SEEN, equipmentBytes, isoSeconds, parseLabel, stampOf } from "../helpers/versions.js";

const [path = "", id = ""] = process.argv.slice(2);
const reader = new EquipmentCacheWriter();
const latest = new Map<number, number>();
const seen = new Set<string>();
let reads = 0;
let stop = false;
process.stdin.on("end", () => (stop = true));
process.stdin.resume();

function fail(problem: string, detail: unknown): never {
  process.stdout.write(`${JSON.stringify({ failure: problem, detail: String(detail).slice(0, 400), reads })}\n`);
  process.exit(1);
}

/** Check one version and return its (writer, seq). */
function check(label: string, firstSeen: string, lastModified: string, raw: string | undefined): void {
  const who = parseLabel(label);
  if (who === undefined) fail("a label no writer wrote", label);
  if (firstSeen !== FIRST_SEEN) fail("first_seen_at changed", firstSeen);
  const expectedStamp = who.seq === 0 ? FIRST_SEEN : isoSeconds(stampOf(who.writer, who.seq));
  if (lastModified !== expectedStamp) fail("a record mixing two versions", `${label} ${lastModified}`);
  if (raw !== undefined && who.seq > 0 && raw !== equipmentBytes(id, who.writer, who.seq)) fail("bytes that are not the version's", raw);
  if ((latest.get(who.writer) ?? -1) > who.seq) fail("a writer's versions went backwards", `${who.writer}: ${latest.get(who.writer)} then ${who.seq}`);
  latest.set(who.writer, who.seq);
  seen.add(`${who.writer}.${who.seq}`);
}

while (!stop) {
  try {
    if (reads % 2 === 0) {
      const r = await reader.readEquipment(path);
      check(r.label, r.first_seen_at, r.last_modified_at, undefined);
    } else {
      const raw = await readFile(path, "utf8");
      const r = JSON.parse(raw) as Record<string, string>;
      check(r["label"] ?? "", r["first_seen_at"] ?? "", r["last_modified_at"] ?? "", raw);
    }
  } catch (err) {
    fail("a read failed", err instanceof Error ? `${(err as NodeJS.ErrnoException).code ?? err.name}: ${err.message}` : err);
  }
  if (reads++ === 0) process.stdout.write("ready\n");
}
process.stdout.write(`${JSON.stringify({ reads, versions: seen.size })}\n`);
