/**
 * The performance targets of each scenario, as pure arithmetic on the
 * measured summaries, so the verdicts can be checked without a run.
 * Every write target is a ratio of two contenders measured in the same
 * invocation; the read baseline is a ratio to the same run's floor.
 */
import { atLeast, atMost, type Target } from "./_model.js";
import type { Summary } from "./_stats.js";

/** Ours may take at most this many times the floor's mean, uncontended. */
export const UNCONTENDED_FLOOR_LIMIT = 1.5;
/** Ours may take at most this many times the floor's p99 (4 processes, marker race settled). */
export const CONTENDED_FLOOR_LIMIT = 3;
/** Slowest ÷ fastest process mean, at most. */
export const FAIRNESS_LIMIT = 1.5;
/** Ours ÷ the Python application's mean and p99, at most. */
export const APP_LIMIT = 0.8;

/**
 * Reads per second of ours ÷ the floor's (`readFileSync` + `JSON.parse`) in
 * the run recorded before the write pipeline changed (bench/README.md): one
 * at a time 0.31×, 16 in flight 0.70×. "As fast as before" means at least
 * these ratios, since absolute rates move with the machine's load.
 */
export const READ_BASELINE = { one: 0.31, inFlight: 0.7 } as const;
/** Ours ÷ the Python application's reads per second, at least. */
export const READ_VS_APP = 1.5;

function againstApp(scope: string, ours: Summary, app: Summary): Target[] {
  return [
    atMost(`ours mean ≤ ${APP_LIMIT} × Python application mean (${scope})`, ours.meanMs / app.meanMs, APP_LIMIT),
    atMost(`ours p99 ≤ ${APP_LIMIT} × Python application p99 (${scope})`, ours.p99Ms / app.p99Ms, APP_LIMIT),
  ];
}

/** `equipment rewrite, 1 writer`. */
export function rewriteOneTargets(ours: Summary, floor: Summary, app: Summary): Target[] {
  return [atMost(`ours mean ≤ ${UNCONTENDED_FLOOR_LIMIT} × floor mean`, ours.meanMs / floor.meanMs, UNCONTENDED_FLOOR_LIMIT), ...againstApp("uncontended", ours, app)];
}

/** `equipment rewrite, 4 processes`; `fairness` is ours' slowest ÷ fastest process mean. */
export function rewriteFourTargets(ours: Summary, floor: Summary, app: Summary, fairness: number): Target[] {
  return [
    atMost(`ours p99 ≤ ${CONTENDED_FLOOR_LIMIT} × floor p99`, ours.p99Ms / floor.p99Ms, CONTENDED_FLOOR_LIMIT),
    atMost(`ours fairness (slowest ÷ fastest process mean) ≤ ${FAIRNESS_LIMIT}×`, fairness, FAIRNESS_LIMIT),
    ...againstApp("4 processes", ours, app),
  ];
}

/** `marker race`, from each contender's settled p99 in milliseconds. */
export function markerTargets(oursSettledP99Ms: number, floorSettledP99Ms: number): Target[] {
  return [atMost(`ours settled p99 ≤ ${CONTENDED_FLOOR_LIMIT} × floor settled p99`, oursSettledP99Ms / floorSettledP99Ms, CONTENDED_FLOOR_LIMIT)];
}

/** Reads per second of each reader of the `read + validate` scenario. */
export interface ReadRates {
  floor: number;
  oursOne: number;
  oursInFlight: number;
  appOne: number;
  appInFlight: number;
}

/** `read + validate`; `inFlight` is the number of reads in flight of the parallel rows. */
export function readTargets(r: ReadRates, inFlight: number): Target[] {
  return [
    atLeast(`ours 1 at a time ≥ ${READ_BASELINE.one} × floor (reads/s, as before)`, r.oursOne / r.floor, READ_BASELINE.one),
    atLeast(`ours ${inFlight} in flight ≥ ${READ_BASELINE.inFlight} × floor (reads/s, as before)`, r.oursInFlight / r.floor, READ_BASELINE.inFlight),
    atLeast(`ours 1 at a time ≥ ${READ_VS_APP} × Python to_thread 1 at a time (reads/s)`, r.oursOne / r.appOne, READ_VS_APP),
    atLeast(`ours ${inFlight} in flight ≥ ${READ_VS_APP} × Python to_thread ${inFlight} in flight (reads/s)`, r.oursInFlight / r.appInFlight, READ_VS_APP),
  ];
}

/** `--version` wall time ÷ `node -e 0`'s, at most. */
export const STARTUP_VERSION_LIMIT = 1.3;
/** A one-entry `sync`'s wall time ÷ `node -e 0`'s, at most. */
export const STARTUP_SYNC_LIMIT = 1.8;

/** `CLI startup`, from the mean process wall times of one run. */
export function startupTargets(bare: Summary, version: Summary, sync: Summary): Target[] {
  return [
    atMost(`\`exlab-cache --version\` mean ≤ ${STARTUP_VERSION_LIMIT} × \`node -e 0\` mean`, version.meanMs / bare.meanMs, STARTUP_VERSION_LIMIT),
    atMost(`one-entry \`exlab-cache sync\` mean ≤ ${STARTUP_SYNC_LIMIT} × \`node -e 0\` mean`, sync.meanMs / bare.meanMs, STARTUP_SYNC_LIMIT),
  ];
}

/** The longest a config may take to be parsed or refused, in milliseconds (`config-bounds`). */
export const CONFIG_PARSE_MS = 2000;
/** The most memory a process reading any config may reach, in MB (`config-bounds`). */
export const CONFIG_PEAK_MB = 256;
