/**
 * What a re-sync of `equipment.json` from `config.yaml` would do, found by
 * reading only: create the file, update some of the fields that mirror the
 * config, leave it as it is, or replace a corrupt file. It is the writer's
 * own decision (the rewrite policy) run over a snapshot, so a dry run says
 * what a real run does.
 *
 * @module
 */
import type { ExlabCacheError } from "../errors.js";
import type { FileSystem } from "../fs/_fs.js";
import { requirePath } from "../fs/_path.js";
import { EQUIPMENT, type EquipmentInput, type EquipmentJson } from "../schema/equipment.js";
import { oversizeIssue, stampRecord } from "../schema/record.js";
import { equipmentChange, type MirroredField } from "./equipment.js";
import { CacheStore } from "./store.js";

export { MIRRORED_FIELDS, type MirroredField } from "./equipment.js";

/** What syncing one entry would do. */
export type EquipmentSyncPlan =
  | { readonly action: "create" }
  | { readonly action: "update"; readonly current: EquipmentJson; readonly changed: readonly MirroredField[] }
  | { readonly action: "unchanged"; readonly current: EquipmentJson }
  /** The current file cannot be used; the writer keeps it aside and writes anew. */
  | { readonly action: "repair"; readonly problem: ExlabCacheError };

/** A timestamp as long as every real one, to size a record before its stamps are known. */
const STAMP = "2000-01-01T00:00:00Z";

/**
 * Decide what writing `input` to the `equipment.json` at `path` would do.
 * Reads the file (no lock: a snapshot is enough to decide) and writes nothing.
 *
 * @throws {@link SchemaMajorMismatchError} when the file is of another major:
 *   the writer refuses to touch it, so a sync must too.
 * @throws {@link ValidationError} when the record written would be over the
 *   read bound (the writer refuses it, so a dry run says so too).
 * @throws {@link NotRegularFileError}, or the operating-system error of the read.
 * @example
 * ```ts
 * const plan = await planEquipmentSync(equipmentJsonPath(root, "CONFOCAL_01"), input);
 * if (plan.action === "update") console.log(plan.changed); // ["label"]
 * ```
 */
export async function planEquipmentSync(path: string, input: EquipmentInput, options: { fs?: FileSystem; maxBytes?: number } = {}): Promise<EquipmentSyncPlan> {
  requirePath(path);
  const store = new CacheStore({ fs: options.fs, ...(options.maxBytes === undefined ? {} : { maxFileBytes: options.maxBytes }) });
  const smallest = stampRecord(EQUIPMENT, input, { schema_version: EQUIPMENT.version, first_seen_at: STAMP, last_modified_at: STAMP });
  store.requireFits(smallest, (limit) => oversizeIssue(EQUIPMENT, smallest, [], limit), path);
  const decision = await store.preview(path, equipmentChange(input, true));
  const { previous, result } = decision;
  if (!decision.write && previous !== undefined) return { action: "unchanged", current: previous };
  if (result.status === "updated" && previous !== undefined) return { action: "update", current: previous, changed: result.changed as MirroredField[] };
  if (result.status === "repaired" && decision.problem !== undefined) return { action: "repair", problem: decision.problem };
  return { action: "create" };
}
