/**
 * The values PyYAML builds, as plain JavaScript values for the checks that
 * read them: a dict becomes an object of its string keys (the only keys a
 * config lookup can hit), a list or a list of pairs an array, a timestamp a
 * `Date`. Aliases share values, so a walk can revisit one subtree many times
 * (a "billion laughs" document) or for ever (an alias of its own
 * ancestor): every walk is held to a budget of nodes visited, and refusing
 * is this module's own decision, not a parser message read back.
 *
 * @module
 */
import { ConfigError } from "../errors.js";
import { instantMicros, type PyDict, type PyList, type PyPairs, type PySet, type PyValue } from "./_values.js";

/**
 * How many nodes one read of a config may visit, aliases counted each time
 * they are followed. Real configs use aliases by the hundreds; a "billion
 * laughs" document needs many orders of magnitude more and is refused as
 * soon as the budget runs out, before memory is spent on it.
 */
export const MAX_ALIAS_EXPANSION = 100_000;

/** A shared count of nodes visited, for one file. */
export interface Budget {
  readonly file: string;
  left: number;
  /** The collections being converted, outermost first: one met again is a cycle. */
  readonly open: Set<object>;
}

export function newBudget(file: string): Budget {
  return { file, left: MAX_ALIAS_EXPANSION, open: new Set() };
}

/**
 * The plain value of `v`.
 *
 * @throws {@link ConfigError} `yaml_alias_limit` when the walk would visit
 *   more than the budget's nodes.
 */
export function toPlain(v: PyValue | undefined, budget: Budget): unknown {
  if (v === undefined) return undefined;
  if (--budget.left < 0) {
    throw new ConfigError("yaml_alias_limit", budget.file, `YAML aliases here would expand to more than ${MAX_ALIAS_EXPANSION} nodes (a "billion laughs" document?); refusing to load it`);
  }
  if (v === null || typeof v !== "object") return v;
  switch (v.kind) {
    case "int":
      return Number(v.value);
    case "float":
      return v.value;
    case "bytes":
      return v.value;
    case "date":
      return new Date(Number(instantMicros({ ...v, kind: "datetime", hour: 0, minute: 0, second: 0, microsecond: 0, offset: 0 }) / 1000n));
    case "datetime":
      return new Date(Number(instantMicros(v) / 1000n));
  }
  // A collection that holds itself (`&a [*a]`) is loaded by PyYAML as a
  // recursive value; here the inner occurrence reads as Python prints it.
  if (budget.open.has(v)) return v.kind === "dict" ? "{...}" : "[...]";
  budget.open.add(v);
  try {
    return collectionToPlain(v, budget);
  } finally {
    budget.open.delete(v);
  }
}

function collectionToPlain(v: PyList | PyPairs | PySet | PyDict, budget: Budget): unknown {
  switch (v.kind) {
    case "list":
      return v.items.map((x) => toPlain(x, budget));
    case "pairs":
      return v.items.map(([k, x]) => [toPlain(k, budget), toPlain(x, budget)]);
    case "set":
      return new Set(v.items.map((x) => toPlain(x, budget)));
    case "dict": {
      const entries: [string, unknown][] = [];
      v.keys.forEach((k, i) => {
        if (typeof k === "string") entries.push([k, toPlain(v.values[i] ?? null, budget)]);
      });
      return Object.fromEntries(entries);
    }
  }
}
