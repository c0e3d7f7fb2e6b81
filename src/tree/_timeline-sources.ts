/**
 * The records a run's timeline is made of, each turned into events: its
 * `creation.json` (creation, overrides, tombstones), its subtree's marker,
 * its `ingest.json` history, and the log lines tagged with it. Private to
 * `timeline.ts`.
 *
 * @module
 */
import { ExlabCacheError, errnoCode } from "../errors.js";
import { readCacheFile } from "../fs/read.js";
import { type CreationJson } from "../schema/kinds/creation.js";
import { parseIngest } from "../schema/kinds/ingest.js";
import { parseMarker } from "../schema/marker.js";
import { readLog } from "../log/read.js";
import type { TimelineEvent, TimelineSource } from "./timeline.js";

/** What reading one source gave. */
export interface SourceResult<T> {
  readonly source: TimelineSource;
  readonly value?: T;
}

/** Read and parse one cache file, naming what is missing or unreadable instead of throwing. */
export async function readSource<T>(name: string, path: string, parse: (bytes: Buffer, path: string) => T): Promise<SourceResult<T>> {
  let bytes: Buffer;
  try {
    bytes = await readCacheFile(path);
  } catch (err) {
    const code = errnoCode(err);
    if (code === "ENOENT" || code === "ENOTDIR") return { source: { name, path, status: "missing" } };
    return { source: unreadable(name, path, err) };
  }
  try {
    return { source: { name, path, status: "ok" }, value: parse(bytes, path) };
  } catch (err) {
    return { source: unreadable(name, path, err) };
  }
}

function unreadable(name: string, path: string, err: unknown): TimelineSource {
  if (err instanceof ExlabCacheError) return { name, path, status: "unreadable", code: err.code, message: err.message };
  const code = errnoCode(err) ?? "io_error";
  return { name, path, status: "unreadable", code, message: err instanceof Error ? err.message : String(err) };
}

const timeOf = (at: unknown): number | null => {
  if (typeof at !== "string") return null;
  const ms = Date.parse(at);
  return Number.isNaN(ms) ? null : ms;
};

/** One event; `at` as written, `time` parsed when it names an instant. */
export function event(at: unknown, source: TimelineEvent["source"], kind: string, summary: string, details: Record<string, unknown>): TimelineEvent {
  return { at: typeof at === "string" ? at : "", time: timeOf(at), source, kind, summary, details };
}

const str = (v: unknown): string => (typeof v === "string" ? v : JSON.stringify(v) ?? "");

/** The creation, then one event per override or tombstone entry (at its `recorded_at`). */
export function creationEvents(record: CreationJson): TimelineEvent[] {
  const out = [event(record.created_at, "creation", "created", `created by ${record.created_by} (${record.level}, ${record.run_kind})`, { created_by: record.created_by, level: record.level, run_kind: record.run_kind, sync_status: record.sync_status })];
  for (const entry of record.validation_overrides) {
    const tombstone = Object.hasOwn(entry, "revokes");
    const by = str(entry["operator"] ?? "");
    const summary = tombstone
      ? `tombstone by ${by}: revokes ${str(entry["revokes"])}: ${str(entry["reason"] ?? "")}`
      : `override of ${str(entry["problem_class"] ?? "?")} by ${by}${entry["expires_at"] === null || entry["expires_at"] === undefined ? "" : ` until ${str(entry["expires_at"])}`}: ${str(entry["reason"] ?? "")}`;
    out.push(event(entry["recorded_at"], "creation", tombstone ? "tombstone" : "override", summary, { ...entry }));
  }
  return out;
}

/** The marker's creation: the subtree's first run of its kind. */
export function markerEvent(path: string, bytes: Buffer, kind: "test" | "experimental"): TimelineEvent {
  const marker = parseMarker(bytes, kind, path);
  const folder = kind === "test" ? "TestRuns" : "Runs";
  return event(marker.created_at, "marker", "marker", `${folder}/ marked ${kind}-only (project ${marker.project}, equipment ${marker.equipment})`, { ...marker });
}

/** One event per `ingest.json` history entry. */
export function ingestEvents(bytes: Buffer, path: string): { events: TimelineEvent[]; current: string } {
  const record = parseIngest(bytes, path);
  const events = record.history.map((entry) => {
    const { state, at, host, ...rest } = entry;
    const extra = Object.entries(rest).map(([k, v]) => `${k} ${str(v)}`).join(", ");
    return event(at, "ingest", "state", `${str(state)} on ${str(host ?? "?")}${extra === "" ? "" : ` (${extra})`}`, { ...entry });
  });
  return { events, current: record.current_state };
}

/** The run a log line must belong to: its folder name and those above it. */
export interface LogRun {
  /** The run folder's name (`[run:…]`). */
  run: string;
  /** The equipment folder's name (`[equip:…]`). */
  equipment: string;
  /** The project folder's name (`[proj:…]`). */
  project: string;
  /** `test` or `experimental` (`[kind:…]`, the application's values), or null when unknown. */
  kind: string | null;
}

/**
 * The log entries of the `wizard.*.log` files in `folder` tagged with the
 * run's name and, for each other tag a line carries (`equip`, `proj`,
 * `kind`), with the run's value: run names have minute precision, so two
 * projects may share one. Files that cannot be read are named as sources.
 */
export async function logEvents(folder: string, want: LogRun, signal?: AbortSignal): Promise<{ events: TimelineEvent[]; sources: TimelineSource[] }> {
  const events: TimelineEvent[] = [];
  const sources = new Map<string, TimelineSource>();
  try {
    for await (const r of readLog(folder, { signal })) {
      if (!sources.has(r.file)) sources.set(r.file, { name: "log", path: r.file, status: "ok" });
      if (r.kind === "raw" && r.reason === "unreadable") {
        sources.set(r.file, { name: "log", path: r.file, status: "unreadable", code: "io_error", message: r.message });
        continue;
      }
      if (r.kind !== "entry" || r.tags.run !== want.run) continue;
      const { equip, proj, kind } = r.tags;
      if ((equip !== undefined && equip !== want.equipment) || (proj !== undefined && proj !== want.project)) continue;
      if (kind !== undefined && want.kind !== null && kind !== want.kind) continue;
      const text = [r.message, ...r.continuation].join("\n");
      events.push(event(r.timestamp, "log", "log", `[${r.level ?? "?"}] ${text}`, { host: r.host, level: r.level, tags: r.tags, message: text, file: r.file, line: r.line, truncated: r.truncated }));
    }
  } catch (err) {
    const code = errnoCode(err);
    if (code === "ENOENT" || code === "ENOTDIR") return { events, sources: [{ name: "log", path: folder, status: "missing" }] };
    if (signal?.aborted === true) throw err;
    return { events, sources: [...sources.values(), unreadable("log", folder, err)] };
  }
  if (sources.size === 0) return { events, sources: [{ name: "log", path: folder, status: "missing" }] };
  return { events, sources: [...sources.values()] };
}
