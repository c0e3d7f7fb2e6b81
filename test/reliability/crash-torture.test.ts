/**
 * Crash torture (issue 5, point 1): writer processes rewrite one
 * equipment.json and race for markers in a loop while the test SIGKILLs them
 * at random moments. After every round of kills the files must be whole,
 * versions somebody wrote, with `first_seen_at` untouched, the locks free at
 * once, and the next write must leave no temp file.
 *
 * The schedule (how many writers per round, when each dies) comes from a
 * seeded PRNG: the seed is printed as a diagnostic and in any failure, and
 * EXLAB_TORTURE_SEED replays it. Process timing still varies between runs,
 * so a replay revisits the same schedule, not the same instants.
 * EXLAB_TORTURE_KILLS raises the number of kills (never below 200).
 */
import assert from "node:assert/strict";
import { randomInt } from "node:crypto";
import { test } from "node:test";
import { tempDir } from "../helpers/tmp.js";
import { seededRandom } from "../helpers/versions.js";
import { Lane, type TortureStats } from "./_torture-lane.js";

const SEED = process.env["EXLAB_TORTURE_SEED"] === undefined ? randomInt(2 ** 31) : Number(process.env["EXLAB_TORTURE_SEED"]);
const MIN_KILLS = 200;
const REQUESTED_KILLS = Number(process.env["EXLAB_TORTURE_KILLS"] ?? MIN_KILLS);
const KILLS = Number.isFinite(REQUESTED_KILLS) ? Math.max(MIN_KILLS, Math.ceil(REQUESTED_KILLS)) : MIN_KILLS;
// Two lanes (two equipment files, each with its own writers) keep both cores
// busy: most of a round is the children's start-up.
const LANES = ["CRASH_A", "CRASH_B"] as const;

test(`crash torture: ${KILLS}+ SIGKILLs mid-rewrite and mid-marker-race leave whole versions, first_seen_at, free locks, no temp files`, async (t) => {
  assert.ok(Number.isSafeInteger(SEED), `EXLAB_TORTURE_SEED must be an integer, got ${process.env["EXLAB_TORTURE_SEED"]}`);
  t.diagnostic(`seed ${SEED} (replay with EXLAB_TORTURE_SEED=${SEED})`);
  const root = await tempDir(t, "exlab-torture-");
  const stats: TortureStats = { kills: 0, rounds: 0, staleTemps: 0, markers: 0, childWins: 0, nextWriterId: 1 };
  try {
    const lanes = LANES.map((id, i) => new Lane(t, root, id, seededRandom(SEED + i), stats));
    await Promise.all(
      lanes.map(async (lane) => {
        await lane.start();
        while (stats.kills < KILLS) await lane.round();
        await lane.finish();
      }),
    );
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`crash torture failed with seed ${SEED} (replay: EXLAB_TORTURE_SEED=${SEED}): ${reason}`, { cause: err });
  }
  t.diagnostic(
    `${stats.kills} kills in ${stats.rounds} rounds; ${stats.staleTemps} temp files left by killed writers were swept; ` +
      `${stats.markers} markers raced, ${stats.childWins} won by a child that lived to say so`,
  );
  assert.ok(stats.kills >= KILLS);
  // The torture is only worth something if kills land inside writes: a temp
  // file left behind is the proof that some did.
  assert.ok(stats.staleTemps > 0, `no kill landed mid-write in ${stats.kills} kills (seed ${SEED})`);
});
