/**
 * One cache operation, run as another account by the shared-tree tests.
 * Prints the result as JSON on one line, or the error envelope (and exits 3).
 *
 * argv: equipment <path> <label> | marker <path> <project> | lock <path>
 */
import { EquipmentCacheWriter, ExlabCacheError, withFileLock } from "exlab-cache";

const [op = "", path = "", arg = ""] = process.argv.slice(2);
const writer = new EquipmentCacheWriter({ clock: () => new Date("2026-04-17T14:00:00Z") });
try {
  let out: unknown;
  if (op === "equipment") {
    out = await writer.writeEquipment(path, { id: "CONFOCAL_01", label: arg, configured_local_root: "/data/lab", configured_nas_root: "//nas01/lab" });
  } else if (op === "marker") {
    out = await writer.writeTestRunsMarker(path, { project: arg, equipment: "CONFOCAL_01" });
  } else {
    out = await withFileLock(path, () => "locked", { timeoutMs: 0 });
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
} catch (err) {
  if (!(err instanceof ExlabCacheError)) throw err;
  process.stdout.write(`${JSON.stringify(err.toEnvelope())}\n`);
  process.exitCode = 3;
}
