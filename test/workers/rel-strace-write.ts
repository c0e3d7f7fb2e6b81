/**
 * One write, to be traced with strace: the equipment record (first write or
 * rewrite, whichever the tree calls for) or the TestRuns marker.
 *
 * argv: equipment|marker <localRoot>
 */
import { EquipmentCacheWriter, equipmentJsonPath, testRunsMarkerPath } from "exlab-cache";

const [what = "", root = ""] = process.argv.slice(2);
const writer = new EquipmentCacheWriter({ clock: () => new Date("2026-04-17T14:00:00Z") });
if (what === "equipment") {
  await writer.writeEquipment(equipmentJsonPath(root, "CONFOCAL_01"), {
    id: "CONFOCAL_01",
    label: "Confocal Microscope 1",
    configured_local_root: "/data/lab",
    configured_nas_root: "//nas01/lab",
  });
} else {
  await writer.writeTestRunsMarker(testRunsMarkerPath(root, "CONFOCAL_01", "PROJ-0042"), {
    project: "PROJ-0042",
    equipment: "CONFOCAL_01",
  });
}
process.stdout.write("done\n");
