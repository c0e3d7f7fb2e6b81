/**
 * PyYAML's composer and `SafeConstructor` over the node tree the `yaml`
 * package parses: anchors registered in document order (a repeated name
 * refused), aliases pointing at the very node they name (so `- *entry`
 * twice is the same mapping twice), tags resolved as PyYAML resolves them
 * (`!` is the non-specific tag: a scalar under it is resolved like a plain
 * one), `<<` merges flattened exactly as `flatten_mapping` does it (merged
 * pairs first, a later `<<` over an earlier one, the first mapping of a
 * `<<: [*a, *b]` list over the later ones, explicit keys over all), and
 * every pair set as `d[key] = value` sets it, so a repeated key takes the
 * last value at every level. Nothing here depends on the parser's own
 * handling of duplicate keys, merges or tags: the parser is only asked for
 * the nodes.
 *
 * @module
 */
import type { Alias, Document, Node, Pair, Scalar, YAMLMap, YAMLSeq } from "yaml";
import { ConstructError, SAFE_TAGS, Y, constructScalar, resolvePlain } from "./_yaml-tags.js";
import { dictSet, hashKey, newDict, type PyValue } from "./_values.js";

/** Why a document cannot be constructed, and at which offset of the text. */
export class ConstructFailure extends Error {
  constructor(
    readonly code: "yaml_syntax_error" | "yaml_unsupported_tag" | "yaml_alias_limit",
    message: string,
    readonly offset: number | undefined,
    readonly tag?: string,
  ) {
    super(message);
  }
}

type AnyNode = Node | Pair | null | undefined;
type NodeKinds = { isAlias: (n: unknown) => n is Alias; isMap: (n: unknown) => n is YAMLMap; isSeq: (n: unknown) => n is YAMLSeq; isScalar: (n: unknown) => n is Scalar; isPair: (n: unknown) => n is Pair };

/**
 * How many key/value pairs `<<` merges may copy in one document, all
 * sections counted: thousands of times what a config merges.
 */
export const MAX_MERGED_PAIRS = 100_000;

/** A pair of nodes as PyYAML's MappingNode holds it (the nodes as written, aliases included). */
type NodePair = [Node | null, Node | null];

/**
 * The value `safe_load` builds from `doc`'s single document.
 *
 * @param tagOffsets - where each tag of the text starts, in order.
 * @param bom - the character that stands for U+FEFF in the parsed text, if any.
 * @throws {@link ConstructFailure} where PyYAML's composer or constructor
 *   raises.
 */
export function constructDocument(doc: Document.Parsed, kinds: NodeKinds, tagOffsets: readonly number[], bom?: string): PyValue {
  const { isAlias, isMap, isSeq, isScalar, isPair } = kinds;
  const textOf = (n: Scalar): string => {
    const s = String(n.source ?? "");
    return bom === undefined ? s : s.replaceAll(bom, "\ufeff");
  };
  const offsetOf = (n: AnyNode): number | undefined => (n as { range?: [number, number, number] } | null | undefined)?.range?.[0];
  // A tagged node is placed at its tag: the last tag written before it.
  const tagStart = (n: Node): number | undefined => {
    const start = offsetOf(n);
    if (start === undefined || (n as { tag?: string }).tag === undefined) return start;
    let lo = 0;
    let hi = tagOffsets.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((tagOffsets[mid] ?? 0) < start) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 ? tagOffsets[lo - 1] : start;
  };

  // The composer: anchors in document order, each alias bound to its node.
  const anchors = new Map<string, Node>();
  const targets = new Map<Alias, Node>();
  const compose = (n: AnyNode): void => {
    if (n === null || n === undefined) return;
    if (isPair(n)) {
      compose(n.key as AnyNode);
      compose(n.value as AnyNode);
      return;
    }
    if (isAlias(n)) {
      const target = anchors.get(n.source);
      if (target === undefined) throw new ConstructFailure("yaml_syntax_error", `YAML cannot be loaded: alias *${n.source} names no anchor before it`, offsetOf(n));
      targets.set(n, target);
      return;
    }
    const anchor = (n as { anchor?: string }).anchor;
    if (anchor !== undefined) {
      if (anchors.has(anchor)) throw new ConstructFailure("yaml_syntax_error", `YAML cannot be loaded: anchor &${anchor} is defined twice`, offsetOf(n));
      anchors.set(anchor, n);
    }
    if (isMap(n) || isSeq(n)) for (const item of n.items as AnyNode[]) compose(item);
  };
  compose(doc.contents);

  const deref = (n: Node | null): Node | null => (n !== null && isAlias(n) ? (targets.get(n) ?? null) : n);
  // `flatten_mapping` rewrites a mapping node's pairs in place and `=` keys'
  // tags; later reads of the same node see the rewrite, as in PyYAML.
  const pairsOf = new Map<YAMLMap, NodePair[]>();
  const retagged = new Set<Node>();
  const pairs = (m: YAMLMap): NodePair[] => {
    let p = pairsOf.get(m);
    if (p === undefined) {
      p = (m.items).map((item): NodePair => [(item.key ?? null) as Node | null, (item.value ?? null) as Node | null]);
      pairsOf.set(m, p);
    }
    return p;
  };
  const tagOf = (n: Node | null): string => {
    if (n === null) return Y + "null";
    if (retagged.has(n)) return Y + "str";
    const tag = (n as { tag?: string }).tag;
    if (isScalar(n)) {
      if (tag === undefined) return n.type === "PLAIN" ? resolvePlain(textOf(n)) : Y + "str";
      return tag === "!" ? resolvePlain(textOf(n)) : tag;
    }
    if (tag !== undefined && tag !== "!") return tag;
    return isMap(n) ? Y + "map" : Y + "seq";
  };

  // Every pair a `<<` copies is counted, in whichever section: merges of
  // merges double at each step, and PyYAML would copy them all (for minutes,
  // in gigabytes) where a config merges a few hundred.
  let copiesLeft = MAX_MERGED_PAIRS;
  const copy = (into: NodePair[], from: readonly NodePair[], at: AnyNode): void => {
    copiesLeft -= from.length;
    if (copiesLeft < 0) {
      throw new ConstructFailure("yaml_alias_limit", `YAML \`<<\` merges here would copy more than ${MAX_MERGED_PAIRS} keys; refusing to load it`, offsetOf(at));
    }
    for (const pair of from) into.push(pair);
  };
  const flatten = (m: YAMLMap): void => {
    const value = pairs(m);
    const merge: NodePair[] = [];
    let index = 0;
    while (index < value.length) {
      const [keyNode, valueNode] = value[index] as NodePair;
      const keyTag = tagOf(deref(keyNode));
      if (keyTag === Y + "merge") {
        value.splice(index, 1);
        const v = deref(valueNode);
        if (v !== null && isMap(v)) {
          flatten(v);
          copy(merge, pairs(v), valueNode);
        } else if (v !== null && isSeq(v)) {
          const submerge: NodePair[][] = [];
          for (const item of v.items as (Node | null)[]) {
            const sub = deref(item);
            if (sub === null || !isMap(sub)) throw new ConstructFailure("yaml_syntax_error", "YAML cannot be loaded: a `<<` merge list holds something that is not a mapping", offsetOf(item ?? v));
            flatten(sub);
            submerge.push(pairs(sub));
          }
          submerge.reverse();
          for (const p of submerge) copy(merge, p, valueNode);
        } else {
          throw new ConstructFailure("yaml_syntax_error", "YAML cannot be loaded: a `<<` merge takes a mapping, an alias of one, or a list of those", offsetOf(valueNode ?? keyNode));
        }
      } else {
        if (keyTag === Y + "value" && keyNode !== null) retagged.add(deref(keyNode) ?? keyNode);
        index++;
      }
    }
    if (merge.length > 0) {
      for (const pair of value) merge.push(pair);
      pairsOf.set(m, merge);
    }
  };

  const defaultValue = (m: YAMLMap, seen = new Set<YAMLMap>()): string | undefined => {
    // A mapping whose `=` value is itself recurses for ever in PyYAML.
    if (seen.has(m)) return undefined;
    seen.add(m);
    for (const [k, v] of pairs(m)) {
      if (tagOf(deref(k)) !== Y + "value") continue;
      const target = deref(v);
      if (target === null) return "";
      if (isScalar(target)) return textOf(target);
      return isMap(target) ? defaultValue(target, seen) : undefined;
    }
    return undefined;
  };
  const scalarAt = (tag: string, text: string, at: number | undefined): PyValue => {
    try {
      const v = constructScalar(tag, text);
      if (v === undefined) throw refusal(tag, "a scalar", at);
      return v;
    } catch (err) {
      if (!(err instanceof ConstructError)) throw err;
      throw new ConstructFailure("yaml_syntax_error", `YAML cannot be loaded: ${tag.replace(Y, "!!")}: ${err.message}`, at);
    }
  };
  const built = new Map<Node, PyValue>();
  // PyYAML builds a collection in two steps: the empty container at once,
  // its contents later, in first-in first-out order after the node that
  // asked for it (construct_document's state generators). The order shows:
  // a merge rewrites a node's pairs and `=` keys' tags before or after
  // another node reads them.
  const pending: (() => void)[] = [];
  const construct = (written: Node | null): PyValue => {
    const n = deref(written);
    if (n === null) return null;
    const done = built.get(n);
    if (done !== undefined || built.has(n)) return done ?? null;
    const tag = tagOf(n);
    const at = tagStart(n);
    if (isScalar(n)) {
      let v: PyValue | undefined;
      try {
        v = constructScalar(tag, textOf(n));
      } catch (err) {
        if (!(err instanceof ConstructError)) throw err;
        throw new ConstructFailure("yaml_syntax_error", `YAML cannot be loaded: ${tag.replace(Y, "!!")}: ${err.message}`, at);
      }
      if (v === undefined) throw refusal(tag, "a scalar", at);
      built.set(n, v);
      return v;
    }
    if (isMap(n)) {
      if (tag === Y + "map" || tag === Y + "set") {
        const dict = newDict();
        const set = tag === Y + "set" ? { kind: "set" as const, items: [] as PyValue[] } : undefined;
        built.set(n, set ?? dict);
        pending.push(() => {
          flatten(n);
          for (const [k, v] of pairs(n)) {
            const key = construct(k);
            const hash = hashKey(key, typeof key === "object" && key !== null ? key : undefined);
            if (hash === undefined) throw new ConstructFailure("yaml_syntax_error", "YAML cannot be loaded: a mapping key is a list or a mapping, which Python cannot hash", offsetOf(k ?? n));
            dictSet(dict, hash, key, construct(v), k, v);
          }
          if (set !== undefined) set.items.push(...dict.keys);
        });
        return set ?? dict;
      }
      // SafeConstructor.construct_scalar reads a mapping with a `=` key as
      // that key's value (YAML 1.1's default value): `!!int {=: 5}` is 5.
      if (SCALAR_TAGS.has(tag)) {
        const text = defaultValue(n);
        if (text !== undefined && tag !== Y + "timestamp") {
          const v = scalarAt(tag, text, at);
          built.set(n, v);
          return v;
        }
      }
      throw refusal(tag, "a mapping", at);
    }
    if (isSeq(n)) {
      if (tag === Y + "seq") {
        const list = { kind: "list" as const, items: [] as PyValue[], nodes: [] as (Node | null)[] };
        built.set(n, list);
        pending.push(() => {
          for (const item of n.items as (Node | null)[]) {
            list.items.push(construct(item));
            list.nodes.push(item);
          }
        });
        return list;
      }
      if (tag === Y + "omap" || tag === Y + "pairs") {
        const list = { kind: "pairs" as const, items: [] as [PyValue, PyValue][] };
        built.set(n, list);
        pending.push(() => {
          for (const item of n.items as (Node | null)[]) {
            const sub = deref(item);
          if (sub === null || !isMap(sub)) throw new ConstructFailure("yaml_syntax_error", `YAML cannot be loaded: each entry of a ${tag.replace(Y, "!!")} is a mapping of one key`, offsetOf(item ?? n));
          const p = pairs(sub);
          if (p.length !== 1) throw new ConstructFailure("yaml_syntax_error", `YAML cannot be loaded: each entry of a ${tag.replace(Y, "!!")} is a mapping of one key`, offsetOf(sub));
          const [k, v] = p[0] as NodePair;
          list.items.push([construct(k), construct(v)]);
          }
        });
        return list;
      }
      throw refusal(tag, "a sequence", at);
    }
    throw new ConstructFailure("yaml_syntax_error", "YAML cannot be loaded: a node of an unknown kind", at);
  };
  const root = construct(doc.contents ?? null);
  for (let i = 0; i < pending.length; i++) (pending[i] as () => void)();
  return root;
}

const SCALAR_TAGS: ReadonlySet<string> = new Set(["str", "int", "float", "bool", "null", "binary", "timestamp"].map((n) => Y + n));

function refusal(tag: string, what: string, at: number | undefined): ConstructFailure {
  if (SAFE_TAGS.has(tag)) return new ConstructFailure("yaml_syntax_error", `YAML cannot be loaded: the tag ${tag.replace(Y, "!!")} cannot be ${what}`, at);
  if (tag === Y + "merge" || tag === Y + "value") {
    const text = tag === Y + "merge" ? "<<" : "=";
    return new ConstructFailure("yaml_syntax_error", `YAML cannot be loaded: a plain \`${text}\` is not text to PyYAML except as a key; quote it`, at);
  }
  return new ConstructFailure("yaml_unsupported_tag", `YAML tag ${tag} is not allowed: PyYAML's safe_load constructs only the standard types (!!str, !!int, !!float, !!bool, !!null, !!timestamp, !!binary, !!set, !!omap, !!pairs, !!seq, !!map)`, at, tag);
}
