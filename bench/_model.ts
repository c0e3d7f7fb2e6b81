/** What a scenario measures and how its outcome is judged. */
import type { Summary } from "./_stats.js";

/** One contender's line in a scenario's table. */
export interface Row {
  /** Short stable key, e.g. `ours`, `python-16`. */
  key: string;
  /** Name shown in the table. */
  name: string;
  /** Whether this row is our library (ratios are taken from these rows). */
  ours: boolean;
  summary: Summary;
  /** Scenario-specific columns (already formatted), by column title. */
  extra: Record<string, string>;
  /** Raw numbers for the JSON file: per-operation nanoseconds and more. */
  raw: Record<string, unknown>;
}

/** A target of the issue, as a ratio or a bound, with the measured value. */
export interface Target {
  label: string;
  measured: number;
  limit: number;
  /** `max`: measured must be at most limit; `min`: at least. */
  kind: "max" | "min";
  unit: "×" | "ms" | "MB";
  met: boolean;
}

/** A correctness check the run made (a failed check fails the run). */
export interface Check {
  label: string;
  ok: boolean;
  detail: string;
}

/** Everything a scenario reports. */
export interface ScenarioResult {
  id: string;
  title: string;
  /** One sentence on what was run, with the sizes used. */
  setup: string;
  rows: Row[];
  /** Titles of the scenario-specific columns, in order. */
  extraColumns: string[];
  targets: Target[];
  checks: Check[];
  durationMs: number;
}

/** A target that holds when `measured <= limit`. */
export function atMost(label: string, measured: number, limit: number, unit: Target["unit"] = "×"): Target {
  return { label, measured, limit, kind: "max", unit, met: measured <= limit };
}

/** A target that holds when `measured >= limit`. */
export function atLeast(label: string, measured: number, limit: number, unit: Target["unit"] = "×"): Target {
  return { label, measured, limit, kind: "min", unit, met: measured >= limit };
}

/** The row with `key`; throws when a scenario forgot to produce it. */
export function rowOf(rows: readonly Row[], key: string): Row {
  const row = rows.find((r) => r.key === key);
  if (row === undefined) throw new Error(`no result for ${key}`);
  return row;
}
