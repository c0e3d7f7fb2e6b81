/**
 * The application's pre-sync gate for one run: a creation-time pass over
 * the path its `creation.json` records, the names of the files directly in
 * the run folder, and its `run_kind`; eligible when every hard finding is
 * covered by an active override.
 *
 * @module
 */
import { readdir, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { ExlabCacheError, errnoCode } from "../errors.js";
import { gateCreation, type CreationFacts } from "./_creation-source.js";
import { recordFlags } from "./_flags.js";
import { readBounded } from "./_read.js";
import { fileNameHits, folderNameHits } from "./_rules.js";
import { modeHits } from "./_mode.js";
import { readAuditConfig, type AuditConfig } from "./config.js";
import { NO_FLAGS, compareFindings, makeFinding, type Finding } from "./finding.js";

/** The gate's answer for one run. */
export type GateVerdict =
  | {
      readonly status: "eligible" | "blocked";
      /** The run folder as given. */
      readonly run: string;
      /** The path the record says the run is at (the findings' `run_path`). */
      readonly run_path: string;
      readonly sync_status: string;
      /** The hard findings no active override covers; empty when eligible. */
      readonly blocking: readonly Finding[];
      /** Every finding of the pass, overridden or not, soft included. */
      readonly findings: readonly Finding[];
      /** The problem classes of the record's active overrides. */
      readonly active_overrides: readonly string[];
    }
  | {
      readonly status: "not_gateable";
      readonly run: string;
      /** Why: the record is missing, unreadable, of another major, or its overrides cannot be evaluated. */
      readonly reason: { readonly code: string; readonly message: string; readonly path: string };
    };

/** Progress of a gate: one step per thing judged. */
export interface GateProgress {
  readonly done: number;
  readonly total: number;
}

/** Options of {@link gateRun}. */
export interface GateOptions {
  /** The settings, or a `config.yaml` path (read and checked; the gate itself needs none of it). */
  readonly config?: AuditConfig | string | undefined;
  /** The clock deciding override expiry. @default `() => new Date()` */
  readonly now?: (() => Date) | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((p: GateProgress) => void) | undefined;
  /**
   * Judge a Windows drive prefix (`C:\`) of the recorded path as the
   * application does (two illegal characters). @default false
   */
  readonly appCompatible?: boolean | undefined;
}

const MAX_RECORD_BYTES = 16 * 1024 * 1024;
const WINDOWS_DRIVE = /^[A-Za-z]:[\\/]/;

/**
 * The segments of a recorded path that are judged. A POSIX root is never a
 * segment. A Windows drive (`C:\`) is one segment to the application; here
 * it is left out unless `appCompatible`.
 *
 * @example
 * ```ts
 * recordedSegments("C:\\data\\lab\\Run_x", false); // ["data", "lab", "Run_x"]
 * recordedSegments("C:\\data\\lab\\Run_x", true);  // ["C:\\", "data", "lab", "Run_x"]
 * ```
 */
export function recordedSegments(path: string, appCompatible: boolean): string[] {
  const drive = WINDOWS_DRIVE.exec(path);
  if (drive !== null) {
    const rest = path.slice(drive[0].length).split(/[\\/]/).filter((s) => s !== "" && s !== ".");
    return appCompatible ? [`${path.slice(0, 2)}\\`, ...rest] : rest;
  }
  return path.split("/").filter((s) => s !== "" && s !== ".");
}

function notGateable(run: string, code: string, message: string, path: string): GateVerdict {
  return { status: "not_gateable", run, reason: { code, message, path } };
}

/**
 * The regular files directly in `dir` (symbolic links followed, as the
 * application follows them here), or the error that kept it from being
 * listed: a run whose names cannot be seen cannot be judged, so it is never
 * reported eligible.
 */
async function regularFiles(dir: string): Promise<string[] | { readonly error: unknown }> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    return { error };
  }
  const kinds = await Promise.all(names.map((n) => stat(join(dir, n)).then((st) => st.isFile(), () => false)));
  return names.filter((_, i) => kinds[i]);
}

/**
 * The gate's verdict on the run folder `run`.
 *
 * @throws `InputError` / `ConfigError` for a `config` path that cannot be
 *   used; the signal's reason when aborted. A run the application would
 *   never queue is a `not_gateable` verdict, not an exception.
 * @example
 * ```ts
 * const v = await gateRun("/data/lab/CONFOCAL_01/PROJ/Runs/Run_2026-04-17T14-32");
 * if (v.status === "blocked") for (const f of v.blocking) console.log(f.rule, f.matched_token);
 * ```
 */
export async function gateRun(run: string, options: GateOptions = {}): Promise<GateVerdict> {
  if (typeof options.config === "string") await readAuditConfig(options.config, { signal: options.signal });
  options.signal?.throwIfAborted();
  const recordPath = join(run, ".exlab-wizard", "creation.json");
  const r = readBounded(recordPath, MAX_RECORD_BYTES, true);
  if (r.kind === "absent") return notGateable(run, "record_missing", "the run has no creation.json", recordPath);
  if (r.kind === "not_regular") return notGateable(run, "record_unreadable", "creation.json is not a regular file", recordPath);
  if (r.kind === "too_large") return notGateable(run, "record_unreadable", `creation.json is larger than the ${MAX_RECORD_BYTES} bytes read`, recordPath);
  if (r.kind === "error") return notGateable(run, "record_unreadable", `${r.code}: ${r.message}`, recordPath);
  let facts: CreationFacts;
  try {
    facts = gateCreation(r.bytes, recordPath);
  } catch (err) {
    if (err instanceof ExlabCacheError) return notGateable(run, err.code, err.message, recordPath);
    throw err;
  }
  const flags = recordFlags(facts, (options.now ?? (() => new Date()))());
  if ("hazard" in flags) return notGateable(run, "override_unreadable", flags.hazard, recordPath);
  const recorded = facts.pathsLocal === "" ? resolve(run) : facts.pathsLocal;
  const segments = recordedSegments(recorded, options.appCompatible === true);
  const listed = await regularFiles(run);
  if (!Array.isArray(listed)) {
    const code = errnoCode(listed.error) ?? "unknown";
    return notGateable(run, "run_unlisted", `the run folder cannot be listed (${code}), so its file names cannot be judged`, run);
  }
  const files = listed;
  const total = segments.length + files.length + 1;
  let done = 0;
  const step = (): void => options.onProgress?.({ done: ++done, total });
  const findings: Finding[] = [];
  const add = (hits: ReturnType<typeof folderNameHits>, offending: string): void => {
    for (const h of hits) findings.push(makeFinding(h, recorded, offending, NO_FLAGS));
  };
  for (const s of segments) {
    add(folderNameHits(s), s);
    step();
  }
  options.signal?.throwIfAborted();
  for (const f of files) {
    add(fileNameHits(f), f);
    step();
  }
  const leaf = segments.at(-1) ?? "";
  add(modeHits(facts.runKind, leaf, segments.at(-2) ?? ""), leaf);
  step();
  findings.sort(compareFindings);
  const active = flags.flags.overridden;
  const blocking = findings.filter((f) => f.tier === "hard" && !active.has(f.rule));
  return {
    status: blocking.length === 0 ? "eligible" : "blocked",
    run,
    run_path: recorded,
    sync_status: facts.syncStatus,
    blocking,
    findings,
    active_overrides: [...active],
  };
}
