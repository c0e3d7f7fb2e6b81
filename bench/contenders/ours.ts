/**
 * Contender "ours": the library as an application uses it, with its
 * defaults (durable writes, lock timeout 60 s).
 */
import { EquipmentCacheWriter } from "exlab-cache";
import type { NodeContender } from "./_node.js";
import { EQUIPMENT, MARKER } from "./_record.js";

/** A contender backed by one shared {@link EquipmentCacheWriter}. */
export function ours(): NodeContender {
  const writer = new EquipmentCacheWriter();
  return {
    async rewrite(path) {
      await writer.writeEquipment(path, EQUIPMENT);
    },
    createMarker(path, createdAt) {
      return writer.writeTestRunsMarker(path, { ...MARKER, created_at: createdAt });
    },
  };
}
