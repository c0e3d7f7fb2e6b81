/**
 * Rewrites one equipment.json `count` times as writer `writerId`, each
 * version numbered (see test/helpers/versions.ts), then prints "done".
 *
 * argv: <path> <equipmentId> <writerId> <count>
 */
import { EquipmentCacheWriter } from "exlab-cache";
import { numberedPayload, stampOf } from "../helpers/versions.js";

const [path = "", id = "", writerArg = "", countArg = ""] = process.argv.slice(2);
const writerId = Number(writerArg);
let now = stampOf(writerId, 0);
// No fsync: what readers can see is decided by the rename alone (fsync
// only matters after a power cut, see syscall-order.test.ts), and skipping
// it lets thousands of rewrites fit in a few seconds.
const writer = new EquipmentCacheWriter({ clock: () => now, durable: false });
for (let seq = 1; seq <= Number(countArg); seq++) {
  now = stampOf(writerId, seq);
  await writer.writeEquipment(path, numberedPayload(id, writerId, seq));
}
process.stdout.write("done\n");
