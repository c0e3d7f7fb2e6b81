/** Every scenario, in run order. */
import type { Scenario } from "./_context.js";
import { creationUpdate } from "./creation-update.js";
import { logAppend } from "./log-append.js";
import { logRead } from "./log-read.js";
import { auditScenario } from "./audit.js";
import { configBounds } from "./config-bounds.js";
import { ingestAdvance } from "./ingest-advance.js";
import { manyFiles } from "./many-files.js";
import { markerRace } from "./marker-race.js";
import { readValidate } from "./read-validate.js";
import { rewriteFour } from "./rewrite-four.js";
import { rewriteOne } from "./rewrite-one.js";
import { startup } from "./startup.js";

export type { BenchContext, Scenario } from "./_context.js";

/** The scenarios of the issue, in the order a full run takes them. */
export const SCENARIOS: readonly Scenario[] = [rewriteOne, rewriteFour, markerRace, readValidate, manyFiles, creationUpdate, ingestAdvance, logAppend, logRead, startup, auditScenario, configBounds];

/**
 * The scenario named `name`: its id (`rewrite-1`) or its title
 * (`equipment rewrite, 1 writer`), case-insensitively.
 */
export function findScenario(name: string): Scenario | undefined {
  const want = name.trim().toLowerCase();
  return SCENARIOS.find((s) => s.id === want || s.title.toLowerCase() === want);
}
