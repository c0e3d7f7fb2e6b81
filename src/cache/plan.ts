/**
 * What a re-sync of `equipment.json` from `config.yaml` would do, found by
 * reading only: create the file, update some of the fields that mirror the
 * config, leave it as it is, or replace a corrupt file. The decision follows
 * the writer's own rules, so a dry run says what a real run does.
 *
 * @module
 */
import { FileTooLargeError, ValidationError, errnoCode, type ExlabCacheError } from "../errors.js";
import type { FileSystem } from "../fs/_fs.js";
import { requirePath } from "../fs/_path.js";
import { MAX_CACHE_FILE_BYTES, readCacheFile } from "../fs/read.js";
import { EQUIPMENT, inspectExistingEquipment, type EquipmentInput, type EquipmentJson } from "../schema/equipment.js";
import { oversizeIssue, stampRecord, type FieldSpec, type MirroredKey } from "../schema/record.js";
import { SCHEMA_VERSION } from "../schema/version.js";

/** A field of `equipment.json` that mirrors a `config.yaml` entry. */
export type MirroredField = MirroredKey<typeof EQUIPMENT>;

/** The fields of `equipment.json` that mirror a `config.yaml` entry, in on-disk order. */
export const MIRRORED_FIELDS: readonly MirroredField[] = (EQUIPMENT.fields as readonly FieldSpec[])
  .filter((f) => f.mirrors !== undefined)
  .map((f) => f.key as MirroredField);

/** What syncing one entry would do. */
export type EquipmentSyncPlan =
  | { readonly action: "create" }
  | { readonly action: "update"; readonly current: EquipmentJson; readonly changed: readonly MirroredField[] }
  | { readonly action: "unchanged"; readonly current: EquipmentJson }
  /** The current file cannot be used; the writer keeps it aside and writes anew. */
  | { readonly action: "repair"; readonly problem: ExlabCacheError };

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
  const maxBytes = options.maxBytes ?? MAX_CACHE_FILE_BYTES;
  const stamp = "2000-01-01T00:00:00Z"; // as long as any timestamp
  const fits = (extras: readonly (readonly [string, string])[], version: string): void => {
    const record = stampRecord(EQUIPMENT, input, { schema_version: version, first_seen_at: stamp, last_modified_at: stamp });
    const issue = oversizeIssue(EQUIPMENT, record, extras, maxBytes);
    if (issue !== undefined) throw new ValidationError([issue], { path });
  };
  fits([], SCHEMA_VERSION);
  let bytes: Buffer;
  try {
    bytes = await readCacheFile(path, { fs: options.fs, maxBytes });
  } catch (err) {
    if (errnoCode(err) === "ENOENT") return { action: "create" };
    if (err instanceof FileTooLargeError) return { action: "repair", problem: err };
    throw err;
  }
  const existing = inspectExistingEquipment(bytes, path);
  if (existing.status === "corrupt") return { action: "repair", problem: existing.problem };
  const current = existing.record;
  const changed = MIRRORED_FIELDS.filter((k) => current[k] !== input[k]);
  if (changed.length > 0) fits(existing.extras, current.schema_version);
  return changed.length === 0 ? { action: "unchanged", current } : { action: "update", current, changed };
}
