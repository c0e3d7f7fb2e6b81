/**
 * The create-once policy (`creation.json`): the first write creates the
 * file; any later one is refused with `already_exists`, and the file stays
 * byte for byte as it was.
 *
 * @module
 */
import { AlreadyExistsError } from "../../errors.js";
import type { Decision, DecideContext, Found } from "../store.js";
import { decideOnce, type NewFile } from "./write-once.js";

/**
 * Decide a create-once write.
 *
 * @returns a decision to write `make()`'s text, with `result` as its result.
 * @throws {@link AlreadyExistsError} when anything is at the path already.
 * @example
 * ```ts
 * await store.change(path, { look: "exists", decide: (found, ctx) => decideCreateOnce(found, ctx, () => file, record) });
 * ```
 */
export function decideCreateOnce<R>(found: Found, ctx: DecideContext, make: () => NewFile, result: R): Decision<R> {
  return decideOnce(found, make, result, () => {
    throw new AlreadyExistsError(ctx.path);
  });
}
