// Interim main job: write and read an equipment tree under ./lab.
import { EquipmentCacheWriter, equipmentJsonPath, testRunsMarkerPath } from "exlab-cache";

const root = "./lab";
const writer = new EquipmentCacheWriter();
const path = equipmentJsonPath(root, "CONFOCAL_01");
await writer.writeEquipment(path, {
  id: "CONFOCAL_01",
  label: "Confocal Microscope 1",
  configured_local_root: "/data/lab",
  configured_nas_root: "//nas01/lab",
});
console.log(path, await writer.readEquipment(path));
const marker = testRunsMarkerPath(root, "CONFOCAL_01", "PROJ-0042");
await writer.writeTestRunsMarker(marker, { project: "PROJ-0042", equipment: "CONFOCAL_01" });
console.log(marker, await writer.readTestRunsMarker(marker));
