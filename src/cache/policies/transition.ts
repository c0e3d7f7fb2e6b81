/**
 * The forward-step policy (`ingest.json`'s state machine): a guard looks at
 * the current record and may refuse the step with a structured error (say
 * {@link TransitionRefusedError}); otherwise the step is applied as an
 * update.
 *
 * @module
 */
import type { ExlabCacheError } from "../../errors.js";
import type { Decision, DecideContext, Found } from "../store.js";
import { decideUpdate, type Mutator, type RecordCodec } from "./update.js";

/**
 * Decide a forward step: refuse it when `guard` returns an error, else apply
 * `step` as {@link decideUpdate} does.
 *
 * @throws the guard's error (nothing written); as {@link decideUpdate} does.
 * @example
 * ```ts
 * const guard = (r: Ingest) => (NEXT[r.current_state] === to ? undefined : new TransitionRefusedError(path, { field: "current_state", from: r.current_state, to, allowed: [NEXT[r.current_state]] }));
 * await store.change(path, { look: "read", decide: (found, ctx) => decideTransition(codec, guard, (r) => { r.current_state = to; }, found, ctx) });
 * ```
 */
export function decideTransition<T>(
  codec: RecordCodec<T>,
  guard: (current: T) => ExlabCacheError | undefined,
  step: Mutator<T>,
  found: Found,
  ctx: DecideContext,
): Promise<Decision<T>> {
  return decideUpdate(
    codec,
    (current) => {
      const refusal = guard(current);
      if (refusal !== undefined) throw refusal;
      return step(current);
    },
    found,
    ctx,
  );
}
