/**
 * Crash-torture writer: rewrites one equipment.json and races for a fresh
 * marker on every iteration, as fast as it can, until it is killed. Before
 * each write it announces it on stdout (synchronous on a pipe), so the parent
 * knows every version that may be on disk:
 *
 *   m <seq>   about to try marker R<tag>-<seq>
 *   w <seq>   this process created that marker
 *   e <seq>   about to write equipment version <seq>
 *
 * argv: <localRoot> <equipmentId> <writerId> <tag>
 */
import { EquipmentCacheWriter, equipmentJsonPath, runsMarkerPath, testRunsMarkerPath } from "exlab-cache";
import { markerStamp, numberedPayload, stampOf } from "../helpers/versions.js";

const [root = "", id = "", writerArg = "", tag = ""] = process.argv.slice(2);
const writerId = Number(writerArg);
let now = stampOf(writerId, 0);
const writer = new EquipmentCacheWriter({ clock: () => now, lockTimeoutMs: 30_000 });
const path = equipmentJsonPath(root, id);

// If the parent goes away without killing us, stop rather than run on.
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();

// Load the addon and the read path before saying ready, so the kill window
// (which starts at "ready") falls on writes, not on start-up work.
await writer.readEquipment(path).catch(() => undefined);
process.stdout.write("ready\n");
for (let seq = 1; seq < 100_000; seq++) {
  // Marker first: all writers of a round reach marker 1 at about the same
  // moment, so the race for it is real.
  const project = `R${tag}-${seq}`;
  const marker = { project, equipment: id, created_at: markerStamp(writerId) };
  process.stdout.write(`m ${seq}\n`);
  const won =
    seq % 2 === 1
      ? await writer.writeTestRunsMarker(testRunsMarkerPath(root, id, project), marker)
      : await writer.writeRunsMarker(runsMarkerPath(root, id, project), marker);
  if (won) process.stdout.write(`w ${seq}\n`);
  now = stampOf(writerId, seq);
  process.stdout.write(`e ${seq}\n`);
  await writer.writeEquipment(path, numberedPayload(id, writerId, seq));
}
process.exit(0);
