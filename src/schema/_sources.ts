/**
 * Where each object and array of a decoded record came from: the node of
 * the file it was read from, and that file's top-level node. An encode
 * onto that file merges a value only onto its own node, so unknown members
 * and raw number text follow an array item wherever a mutator moves it,
 * and never pass to the item that takes its place. Private to the schema
 * layer.
 *
 * @module
 */
import type { JsonNode } from "./_json.js";

const SOURCES = new WeakMap<object, { readonly node: JsonNode; readonly root: JsonNode }>();

/** Record that `value` was decoded from `node` of the document whose top level is `root`. */
export function noteSource(value: object, node: JsonNode, root: JsonNode): void {
  SOURCES.set(value, { node, root });
}

/** The node `value` was decoded from, if it was decoded from the document `root`; otherwise undefined. */
export function sourceIn(value: unknown, root: JsonNode | undefined): JsonNode | undefined {
  if (root === undefined || typeof value !== "object" || value === null) return undefined;
  const s = SOURCES.get(value);
  return s?.root === root ? s.node : undefined;
}
