/**
 * How `sync` reports for people: a table of one line per entry after a
 * single pass, and one summary line per pass when watching. Every value from
 * the config or the disk is escaped; columns are aligned by display width.
 */
import { count, styleFor, type CliIo } from "./io.js";
import type { SyncResult as SyncResultJson, SyncStatus } from "../sync/sync.js";
import { columnsFor, escapeText } from "./_text.js";

const DRY_WORDS: Record<SyncStatus, string> = {
  created: "would create",
  updated: "would update",
  unchanged: "unchanged",
  repaired: "would repair",
  invalid: "invalid",
  failed: "would fail",
  cancelled: "cancelled",
};

const word = (st: SyncStatus, dryRun: boolean): string => (dryRun ? DRY_WORDS[st] : st);
const name = (r: SyncResultJson): string => escapeText(r.id ?? `equipment.${r.index}`);

/** `3 equipment entries: 1 created, 2 unchanged`. */
function summary(results: readonly SyncResultJson[], dryRun: boolean): string {
  const counts = new Map<SyncStatus, number>();
  for (const r of results) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  const parts = [...counts].map(([st, n]) => `${n} ${word(st, dryRun)}`);
  const total = count(results.length, "equipment entry", "equipment entries");
  return `${total}${parts.length > 0 ? `: ${parts.join(", ")}` : ""}`;
}

/**
 * One line per entry (status, id, then the path, changed fields or error),
 * then the counts.
 */
export async function printResults(io: CliIo, results: readonly SyncResultJson[], dryRun: boolean): Promise<void> {
  const s = styleFor(io, "stdout");
  const colour: Record<SyncStatus, (t: string) => string> = {
    created: s.green,
    updated: s.yellow,
    unchanged: s.dim,
    repaired: s.yellow,
    invalid: s.red,
    failed: s.red,
    cancelled: s.red,
  };
  const wWidth = Math.max(0, ...results.map((r) => word(r.status, dryRun).length));
  const c = await columnsFor(results.map(name));
  const nWidth = Math.max(0, ...results.map((r) => c.width(name(r))));
  for (const r of results) {
    const path = escapeText(r.path ?? "");
    let tail = path;
    if (r.status === "updated") tail = `${r.changed.join(", ")}  ${path}`;
    if (r.status === "invalid") tail = `line ${r.line ?? "?"}: not synced (see errors above)`;
    if (r.status === "failed" || r.status === "cancelled") tail = r.errors.map((e) => `${escapeText(e.message)} [${e.code}]`).join("; ");
    io.stdout.write(`${colour[r.status](word(r.status, dryRun).padEnd(wWidth))}  ${c.pad(name(r), nWidth)}  ${tail}\n`);
  }
  io.stdout.write(`${summary(results, dryRun)}${dryRun ? " (dry run: nothing written)" : ""}\n`);
}

/** What a pass line says after an entry that changed, failed or was not written. */
function why(r: SyncResultJson): string {
  if (r.status === "updated") return ` (${r.changed.join(", ")})`;
  if (r.status === "failed") return ` (${r.errors.map((e) => e.code).join(", ")})`;
  if (r.status === "cancelled") {
    // As the one-shot table says it, without the path the line is too long for.
    const signal = r.errors.map((e) => e.details?.["signal"]).find((s) => typeof s === "string");
    return ` (not written: stopped by ${escapeText(signal ?? "a signal")})`;
  }
  return "";
}

/**
 * One line for a whole pass, as `--watch` prints it:
 * `synced /etc/config.yaml: 2 equipment entries: 1 updated, 1 unchanged; updated CONFOCAL_01 (label)`,
 * or for a pass cut short `…: 1 updated, 1 cancelled; updated CONFOCAL_01 (label), cancelled FLOW_01 (not written: stopped by SIGTERM)`.
 */
export function passLine(file: string, results: readonly SyncResultJson[], dryRun: boolean): string {
  const changes = results
    .filter((r) => r.status !== "unchanged")
    .map((r) => {
      return `${word(r.status, dryRun)} ${name(r)}${why(r)}`;
    });
  return `synced ${escapeText(file)}: ${summary(results, dryRun)}${changes.length > 0 ? `; ${changes.join(", ")}` : ""}`;
}
