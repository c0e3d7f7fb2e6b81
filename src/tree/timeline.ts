/**
 * One chronological view of a run: its `creation.json` (created, by whom,
 * its sync status, every override and tombstone), the marker of its
 * subtree, its `ingest.json` history (on the staging side) and the log
 * lines tagged with it. Whatever is missing or cannot be read is named,
 * never fatal.
 *
 * @module
 */
import { stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { requirePath } from "../fs/_path.js";
import { parseCreation } from "../schema/kinds/creation.js";
import { creationEvents, ingestEvents, logEvents, markerEvent, readSource } from "./_timeline-sources.js";

/** The shape version of a {@link RunTimeline}; it changes only when a member is removed, renamed or changes meaning. */
export const TIMELINE_VERSION = 1;

/** One record the timeline looked at, and what became of it. */
export interface TimelineSource {
  /** `creation.json`, `runs.json` / `test_runs.json`, `ingest.json`, or `log` (one per log file). */
  name: string;
  /** Where it was looked for. */
  path: string;
  /** `ok`, `missing` (nothing there), or `unreadable` (there, but not a valid record or not readable). */
  status: "ok" | "missing" | "unreadable";
  /** Why it is unreadable: the error's code (`schema_major_mismatch`, `validation_failed`, `EACCES`...). */
  code?: string;
  /** Why it is unreadable, for people. */
  message?: string;
}

/** One thing that happened to the run. */
export interface TimelineEvent {
  /** The time as the record wrote it (`""` when it wrote none). */
  at: string;
  /** `at` in milliseconds since the epoch, or null when it names no instant (sorted last). */
  time: number | null;
  /** Which record says so. */
  source: "creation" | "marker" | "ingest" | "log";
  /** `created`, `override`, `tombstone`, `marker`, `state` (an ingest step) or `log`. */
  kind: string;
  /** One line for people (not escaped: a printer escapes it). */
  summary: string;
  /** The entry as recorded. */
  details: Record<string, unknown>;
}

/** What {@link runTimeline} returns. */
export interface RunTimeline {
  version: typeof TIMELINE_VERSION;
  /** The run folder, absolute. */
  run: string;
  /** The run folder's name (`Run_2026-04-17T14-32`). */
  run_name: string;
  /** The equipment folder's name, as the tree places it. */
  equipment: string;
  /** The project folder's name. */
  project: string;
  /** From the folder name: `experimental` (`Run_`), `test` (`TestRun_`), or null when it is neither. */
  run_kind: "experimental" | "test" | null;
  /** What `creation.json` says now, when it could be read. */
  creation: { created_at: string; created_by: string; sync_status: string } | null;
  /** `ingest.json`'s `current_state`, when it could be read. */
  ingest_state: string | null;
  /** Every record looked at. */
  sources: TimelineSource[];
  /** Everything that happened, oldest first; events of one record keep their order. */
  events: TimelineEvent[];
}

/** Options of {@link runTimeline}. */
export interface RunTimelineOptions {
  /** The orchestrator's staging root: `ingest.json` is looked for at `<staging>/<EQUIPMENT>/<project>/<Runs|TestRuns>/<run>/.exlab-wizard/`. */
  staging?: string | undefined;
  /** Stops reading the logs (the call then rejects with the signal's reason). */
  signal?: AbortSignal | undefined;
}

const CACHE = ".exlab-wizard";
const SOURCE_ORDER = ["marker", "creation", "ingest", "log"];

/**
 * The timeline of the run folder `runFolder`
 * (`<root>/<EQUIPMENT>/<project>/Runs/Run_<time>`, or the same run staged
 * under the orchestrator's staging root). `ingest.json` is taken from the
 * run folder itself when it has one (a staged run), else from
 * `options.staging`. Log lines come from every `wizard.*.log` in the
 * equipment folder's `.exlab-wizard/`, those tagged `[run:<run folder
 * name>]` and, for each of `[equip:]`, `[proj:]`, `[kind:]` a line carries,
 * with this run's equipment, project folder and kind (`test` or
 * `experimental`): two projects may have runs of the same name.
 *
 * @throws the operating-system error (`ENOENT`, `ENOTDIR`, `EACCES`) when
 *   `runFolder` is not a folder that can be looked at; {@link ValidationError}
 *   for an empty path; the signal's reason on abort.
 *   Nothing else: a record that is missing or unreadable is named in `sources`.
 * @example
 * ```ts
 * const t = await runTimeline("/data/lab/CONFOCAL_01/Cortex Q3 Pilot/Runs/Run_2026-04-17T14-32", { staging: "/srv/staging" });
 * for (const e of t.events) console.log(e.at, e.source, e.summary);
 * ```
 */
export async function runTimeline(runFolder: string, options: RunTimelineOptions = {}): Promise<RunTimeline> {
  requirePath(runFolder, "run folder");
  if (options.staging !== undefined) requirePath(options.staging, "staging");
  const run = resolve(runFolder);
  if (!(await stat(run)).isDirectory()) {
    throw Object.assign(new Error(`ENOTDIR: not a directory, timeline '${run}'`), { code: "ENOTDIR", path: run, syscall: "timeline" });
  }
  const runName = basename(run);
  const subtree = dirname(run);
  const project = dirname(subtree);
  const equipmentFolder = dirname(project);
  const kind = runName.startsWith("TestRun_") ? "test" : runName.startsWith("Run_") ? "experimental" : basename(subtree) === "TestRuns" ? "test" : basename(subtree) === "Runs" ? "experimental" : null;
  const sources: TimelineSource[] = [];
  const events: TimelineEvent[] = [];

  const creation = await readSource("creation.json", join(run, CACHE, "creation.json"), parseCreation);
  sources.push(creation.source);
  if (creation.value !== undefined) events.push(...creationEvents(creation.value));

  if (kind !== null) {
    const markerFile = kind === "test" ? "test_runs.json" : "runs.json";
    const marker = await readSource(markerFile, join(subtree, CACHE, markerFile), (bytes, path) => markerEvent(path, bytes, kind));
    sources.push(marker.source);
    if (marker.value !== undefined) events.push(marker.value);
  }

  const ingestPaths = [join(run, CACHE, "ingest.json")];
  if (options.staging !== undefined) {
    ingestPaths.push(join(resolve(options.staging), basename(equipmentFolder), basename(project), basename(subtree), runName, CACHE, "ingest.json"));
  }
  let ingestState: string | null = null;
  for (const [i, path] of ingestPaths.entries()) {
    const ingest = await readSource("ingest.json", path, ingestEvents);
    if (ingest.source.status === "missing" && i < ingestPaths.length - 1) continue;
    sources.push(ingest.source);
    if (ingest.value !== undefined) {
      events.push(...ingest.value.events);
      ingestState = ingest.value.current;
    }
    break;
  }

  const logs = await logEvents(join(equipmentFolder, CACHE), { run: runName, equipment: basename(equipmentFolder), project: basename(project), kind }, options.signal);
  sources.push(...logs.sources);
  events.push(...logs.events);

  // Oldest first; events that name no instant last; ties by record, then in record order (a stable sort).
  events.sort((a, b) => (a.time ?? Infinity) - (b.time ?? Infinity) || SOURCE_ORDER.indexOf(a.source) - SOURCE_ORDER.indexOf(b.source));
  const c = creation.value;
  return {
    version: TIMELINE_VERSION,
    run,
    run_name: runName,
    equipment: basename(equipmentFolder),
    project: basename(project),
    run_kind: kind,
    creation: c === undefined ? null : { created_at: c.created_at, created_by: c.created_by, sync_status: c.sync_status },
    ingest_state: ingestState,
    sources,
    events,
  };
}
