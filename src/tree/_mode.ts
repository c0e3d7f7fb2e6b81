/**
 * The \`mode_prefix_mismatch\` rule: a run's recorded kind against its
 * folder's name and its parent's.
 *
 * @module
 */
import type { Hit } from "./finding.js";
import { pyRepr } from "./pyrepr.js";

/**
 * The leaf finding (wrong prefix), then the parent finding (wrong parent),
 * for a run of \`runKind\` in folder \`leaf\` under \`parent\`.
 */
export function modeHits(runKind: "experimental" | "test", leaf: string, parent: string): Hit[] {
  const prefix = runKind === "test" ? "TestRun_" : "Run_";
  const want = runKind === "test" ? "TestRuns" : "Runs";
  const hits: Hit[] = [];
  const hit = (token: string, detail: string): void => {
    hits.push({ rule: "mode_prefix_mismatch", offending_kind: "directory_segment", matched_token: token, rule_detail: `creation.json run_kind=${pyRepr(runKind)} ${detail}` });
  };
  if (!leaf.startsWith(prefix)) hit(leaf, `requires leaf prefix ${pyRepr(prefix)} but leaf is ${pyRepr(leaf)}.`);
  if (parent !== want) hit(parent, `requires parent == ${pyRepr(want)} but parent is ${pyRepr(parent)}.`);
  return hits;
}

