/**
 * `equipment.json` as the store writes it: the rewrite policy, told which
 * fields mirror `config.yaml` (a sync compares them) and which survive
 * rewrites (`first_seen_at`). The writer and the dry-run plan both use
 * this one change, so a plan says what a write does.
 *
 * @module
 */
import { EQUIPMENT, inspectExistingEquipment, salvageFirstSeenAt, type EquipmentInput, type EquipmentJson } from "../schema/equipment.js";
import type { FieldSpec, MirroredKey } from "../schema/record.js";
import { decideRewrite, type RewriteDecision, type RewriteKind, type RewriteResult } from "./policies/rewrite.js";
import type { Change, DecideContext, Found } from "./store.js";

/** A field of `equipment.json` that mirrors a `config.yaml` entry. */
export type MirroredField = MirroredKey<typeof EQUIPMENT>;

/** The fields of `equipment.json` that mirror a `config.yaml` entry, in on-disk order. */
export const MIRRORED_FIELDS: readonly MirroredField[] = (EQUIPMENT.fields as readonly FieldSpec[])
  .filter((f) => f.mirrors !== undefined)
  .map((f) => f.key as MirroredField);

/** How the rewrite policy treats `equipment.json`. */
export const EQUIPMENT_REWRITE: RewriteKind<typeof EQUIPMENT> = {
  d: EQUIPMENT,
  inspect(bytes, path) {
    const found = inspectExistingEquipment(bytes, path);
    return found.status === "valid" ? found : { status: "corrupt", problem: found.problem, kept: { first_seen_at: found.firstSeenAt } };
  },
  salvage: (leading) => ({ first_seen_at: salvageFirstSeenAt(leading) }),
  kept: ["first_seen_at"],
  compared: MIRRORED_FIELDS,
};

/** The store change of an `equipment.json` write, its decision showing what was found. */
export interface EquipmentChange extends Change<RewriteResult<EquipmentJson>> {
  readonly decide: (found: Found, ctx: DecideContext) => RewriteDecision<EquipmentJson>;
}

/**
 * The store change that writes `input` (validated) to an `equipment.json`;
 * with `keepUnchanged` (a sync), a valid file whose mirrored fields match is
 * left alone, also on a read-only mount.
 */
export function equipmentChange(input: EquipmentInput, keepUnchanged: boolean): EquipmentChange {
  return {
    look: "read",
    decide: (found, ctx) => decideRewrite(EQUIPMENT_REWRITE, input, found, ctx, keepUnchanged),
    readOnlyFallback: keepUnchanged,
  };
}
