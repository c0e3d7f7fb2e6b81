/**
 * A small record kind for testing the store and its policies without any
 * real record: `{"schema_version":"1.0","n":<int>=0>,"notes":[<string>...]}`.
 * Loaded from dist/ (the store is not part of the public API).
 */
import { ValidationError, type ValidationIssue } from "exlab-cache";
import type * as CreateOnceModule from "../../dist/cache/policies/create-once.js";
import type * as StoreModule from "../../dist/cache/store.js";
import type * as TransitionModule from "../../dist/cache/policies/transition.js";
import type * as UpdateModule from "../../dist/cache/policies/update.js";

const load = async <T>(path: string): Promise<T> => (await import(new URL(`../../../dist/${path}`, import.meta.url).href)) as T;
export const { CacheStore } = await load<typeof StoreModule>("cache/store.js");
export const { decideCreateOnce } = await load<typeof CreateOnceModule>("cache/policies/create-once.js");
export const { decideUpdate } = await load<typeof UpdateModule>("cache/policies/update.js");
export const { decideTransition } = await load<typeof TransitionModule>("cache/policies/transition.js");
export type { Found, DecideContext, CacheStoreOptions } from "../../dist/cache/store.js";
export type { RecordCodec, Mutator } from "../../dist/cache/policies/update.js";

export interface Tally {
  schema_version: string;
  n: number;
  notes: string[];
}

const problem = (path: string, expected: string, value: unknown): ValidationIssue => ({
  path,
  expected,
  received: JSON.stringify(value) ?? String(value),
  message: `Expected \`${path}\` to be ${expected}`,
});

/** The tally codec, counting its calls. */
export function tallyCodec(): UpdateModule.RecordCodec<Tally> & { decodes: number; encodes: number } {
  const codec = {
    decodes: 0,
    encodes: 0,
    decode(bytes: Uint8Array, path: string): Tally {
      codec.decodes++;
      const value = JSON.parse(Buffer.from(bytes).toString("utf8")) as Tally;
      check(value, path);
      return value;
    },
    encode(value: Tally, path: string): string {
      codec.encodes++;
      check(value, path);
      return JSON.stringify({ schema_version: value.schema_version, n: value.n, notes: value.notes });
    },
  };
  return codec;
}

function check(value: Tally, path: string): void {
  const issues: ValidationIssue[] = [];
  if (typeof value !== "object" || value === null) issues.push(problem("", "an object", value));
  else {
    if (value.schema_version !== "1.0") issues.push(problem("schema_version", '"1.0"', value.schema_version));
    if (!Number.isSafeInteger(value.n) || value.n < 0) issues.push(problem("n", "an integer >= 0", value.n));
    if (!Array.isArray(value.notes) || !value.notes.every((s) => typeof s === "string")) issues.push(problem("notes", "an array of strings", value.notes));
  }
  if (issues.length > 0) throw new ValidationError(issues, { path });
}

/** The store change that creates a tally once. */
export function createTally(value: Tally) {
  const text = tallyCodec().encode(value, "");
  return {
    look: "exists" as const,
    decide: (found: StoreModule.Found, ctx: StoreModule.DecideContext) => decideCreateOnce(found, ctx, () => ({ text, oversize: () => undefined }), value),
  };
}

/** The store change that applies `mutator` to a tally. */
export function updateTally(codec: UpdateModule.RecordCodec<Tally>, mutator: UpdateModule.Mutator<Tally>) {
  return {
    look: "read" as const,
    mustExist: true,
    decide: (found: StoreModule.Found, ctx: StoreModule.DecideContext) => decideUpdate(codec, mutator, found, ctx),
  };
}
