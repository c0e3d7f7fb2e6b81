/**
 * Parsing a config text into a YAML document that holds what PyYAML's
 * `safe_load` would load, or refusing it where `safe_load` refuses it.
 *
 * @module
 */
import type { Document, LineCounter } from "yaml";
import { ConfigError, type ConfigPosition } from "../errors.js";
import { positionOf } from "./_text.js";
import { SAFE_TAGS, pyyamlTags } from "./_yaml-tags.js";

/** A parsed config and the line counter that places its nodes. */
export interface ConfigDocument {
  readonly doc: Document.Parsed;
  readonly lines: LineCounter;
}

/**
 * Parse `text` (already decoded) as PyYAML's `safe_load` reads it.
 *
 * @throws {@link ConfigError} `yaml_syntax_error` on a syntax error, a tab
 *   outside quoted scalars, block scalars and comments, or `<<` / `=` where
 *   PyYAML cannot construct them; `yaml_unsupported_tag` on any tag
 *   `SafeLoader` does not construct, in whichever section.
 * @example
 * ```ts
 * const { doc } = await parseConfigDocument("equipment: []\n", "config.yaml");
 * ```
 */
export async function parseConfigDocument(text: string, file: string): Promise<ConfigDocument> {
  const { LineCounter, Lexer, CST, parseDocument, visit, isScalar, isPair, isMap, isSeq, isAlias, Scalar } = await import("yaml");
  const mergeable = (value: unknown, doc: Document.Parsed): boolean => {
    const one = (v: unknown): boolean => isMap(v) || (isAlias(v) && isMap(v.resolve(doc)));
    return one(value) || (isSeq(value) && value.items.every(one));
  };
  const lines = new LineCounter();
  const where = (offset: number): ConfigPosition => {
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
  // PyYAML's scanner skips spaces only: a tab anywhere between tokens, or in
  // a plain scalar, stops it. Quoted and block scalars and comments may hold tabs.
  let offset = 0;
  // Where a block scalar is: after its `|` or `>` header (and whatever
  // shares the header's line) the lexer gives the whole body as one token.
  let block: "none" | "header" | "body" = "none";
  for (const token of new Lexer().lex(text)) {
    // The lexer's own control characters (document, scalar, flow end) are not in the text.
    if (token === "\x02" || token === "\x1f" || token === "\x18") continue;
    const type = CST.tokenType(token);
    const bodyToken = block === "body" && type !== "newline" && type !== "comment";
    const inert = type === "double-quoted-scalar" || type === "single-quoted-scalar" || type === "comment" || type === "block-scalar-header" || bodyToken;
    if (type === "block-scalar-header") block = "header";
    else if (block === "header" && type === "newline") block = "body";
    else if (bodyToken) block = "none";
    const tab = token.indexOf("\t");
    if (!inert && tab >= 0) {
      throw new ConfigError("yaml_syntax_error", file, "YAML syntax error: a tab cannot start a token or sit in a plain scalar (PyYAML refuses it); use spaces", { position: positionOf(text, offset + tab) });
    }
    offset += token.length;
  }
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, version: "1.1", merge: true, uniqueKeys: false, customTags: pyyamlTags });
  const syntax = doc.errors[0];
  if (syntax !== undefined) {
    throw new ConfigError("yaml_syntax_error", file, `YAML syntax error: ${syntax.message}`, { position: where(syntax.pos[0]), details: { yaml_code: syntax.code } });
  }
  const unresolved = doc.warnings.find((w) => w.code === "TAG_RESOLVE_FAILED");
  if (unresolved !== undefined) {
    const tag = /Unresolved tag: (\S+)/.exec(unresolved.message)?.[1] ?? "?";
    throw unsupported(file, tag, where(unresolved.pos[0]));
  }
  // safe_load constructs the whole document, so a tag it cannot construct
  // or a `<<` outside a key fails the load wherever it is.
  visit(doc, (key, node) => {
    if (node === null) return undefined;
    const start = (node as { range?: [number, number, number] }).range?.[0] ?? 0;
    const tag = (node as { tag?: string }).tag;
    if (tag !== undefined && !SAFE_TAGS.has(tag) && tag !== "tag:yaml.org,2002:merge") {
      throw unsupported(file, tag, where(start));
    }
    if (isPair(node) && isScalar(node.key) && node.key.type === Scalar.PLAIN && node.key.source === "<<" && !mergeable(node.value, doc)) {
      throw new ConfigError("yaml_syntax_error", file, "YAML cannot be loaded: a `<<` merge takes a mapping, an alias of one, or a list of those", { position: where(start) });
    }
    // PyYAML resolves a plain `<<` and `=` to types only a mapping key can
    // hold (a merge, and `=` read back as text); anywhere else it cannot
    // construct them.
    if (key !== "key" && isScalar(node) && node.type === Scalar.PLAIN && node.tag === undefined && (node.source === "<<" || node.source === "=")) {
      throw new ConfigError("yaml_syntax_error", file, `YAML cannot be loaded: a plain \`${node.source}\` is not text to PyYAML except as a key; quote it`, { position: where(start) });
    }
    return undefined;
  });
  return { doc, lines };
}

function unsupported(file: string, tag: string, position: ConfigPosition): ConfigError {
  return new ConfigError("yaml_unsupported_tag", file, `YAML tag ${tag} is not allowed: PyYAML's safe_load constructs only the standard types (!!str, !!int, !!float, !!bool, !!null, !!timestamp, !!binary, !!set, !!omap, !!pairs, !!seq, !!map)`, {
    position,
    details: { tag },
  });
}
