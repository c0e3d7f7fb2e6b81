/** The verdict on one round of the marker race. */
import { markerCreatedAt } from "../contenders/_record.js";

/** What a racer answers for one round. */
export interface MarkerAnswer {
  won: number;
  start: number;
  end: number;
}

/**
 * Check one round: exactly one racer says it created the marker, and the
 * file on disk is that racer's (racer n stamps second n in `created_at`).
 * Returns undefined when the round is sound, else what is wrong.
 *
 * @param answers the racers' answers, indexed by racer number.
 * @param fileText the marker's text after the round, undefined if absent.
 */
export function markerRoundProblem(answers: readonly MarkerAnswer[], fileText: string | undefined): string | undefined {
  const winners = answers.flatMap((a, i) => (a.won === 1 ? [i] : []));
  if (winners.length !== 1) return `${winners.length} racers reported creating the marker`;
  if (fileText === undefined) return "the marker does not exist";
  let parsed: unknown;
  try {
    parsed = JSON.parse(fileText);
  } catch {
    return "the marker is not whole JSON";
  }
  const createdAt = typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>)["created_at"] : undefined;
  const winner = winners[0] ?? -1;
  if (createdAt !== markerCreatedAt(winner)) return `the marker was written by another racer than #${winner} (created_at ${String(createdAt)})`;
  return undefined;
}
