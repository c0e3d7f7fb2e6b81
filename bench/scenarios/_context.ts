/** What every scenario receives, and what a timed worker answers. */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Tools } from "../_contenders.js";
import type { Check, Row, Target } from "../_model.js";

/** The run's settings and tools. */
export interface BenchContext extends Tools {
  /** Scratch directory for the files written (on the disk being measured). */
  work: string;
  /** Multiplier of every operation count (1 = the sizes). */
  scale: number;
  /** Progress notes (to stderr; stdout is the report). */
  log(message: string): void;
}

/** The part of a result a scenario computes. */
export interface ScenarioOutcome {
  setup: string;
  rows: Row[];
  extraColumns: string[];
  targets: Target[];
  checks: Check[];
}

/** A benchmark scenario. */
export interface Scenario {
  /** Short id for `--scenario`. */
  id: string;
  /** The name of the scenario (also accepted by `--scenario`). */
  title: string;
  run(ctx: BenchContext): Promise<ScenarioOutcome>;
}

/** The answer of a worker that ran a timed loop. */
export interface TimedRun {
  start: number;
  end: number;
  lat: number[];
}

/** `full` scaled by the run's scale, never below `min`. */
export function sized(ctx: BenchContext, full: number, min: number): number {
  return Math.max(min, Math.round(full * ctx.scale));
}

/** A fresh directory under the work dir. */
export async function freshDir(ctx: BenchContext, ...parts: string[]): Promise<string> {
  const dir = join(ctx.work, ...parts);
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Split `total` operations into `blocks` near-equal positive parts. */
export function splitCount(total: number, blocks: number): number[] {
  const n = Math.max(1, Math.min(blocks, total));
  return Array.from({ length: n }, (_, i) => Math.floor(total / n) + (i < total % n ? 1 : 0));
}
