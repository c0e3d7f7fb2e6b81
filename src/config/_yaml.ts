/**
 * Parsing a config text into a YAML document that holds what PyYAML's
 * `safe_load` would load, or refusing it where `safe_load` refuses it.
 *
 * @module
 */
import type { Document, LineCounter } from "yaml";
import { ConfigError, type ConfigPosition } from "../errors.js";
import { ConstructFailure, constructDocument } from "./_construct.js";
import { positionOf } from "./_text.js";
import type { PyValue } from "./_values.js";

/** A parsed config and the line counter that places its nodes. */
export interface ConfigDocument {
  readonly doc: Document.Parsed;
  readonly lines: LineCounter;
  /** What `safe_load` returns for the document. */
  readonly value: PyValue;
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
  const { LineCounter, Lexer, CST, parseDocument, isScalar, isPair, isMap, isSeq, isAlias } = await import("yaml");
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
  const directives = new Set<string>();
  const tagOffsets: number[] = [];
  for (const token of new Lexer().lex(text)) {
    // The lexer's own control characters (document, scalar, flow end) are not in the text.
    if (token === "\x02" || token === "\x1f" || token === "\x18") continue;
    const type = CST.tokenType(token);
    const bodyToken = block === "body" && type !== "newline" && type !== "comment";
    const inert = type === "double-quoted-scalar" || type === "single-quoted-scalar" || type === "comment" || type === "block-scalar-header" || bodyToken;
    if (type === "block-scalar-header") block = "header";
    else if (block === "header" && type === "newline") block = "body";
    else if (bodyToken) block = "none";
    if (type === "tag") tagOffsets.push(offset);
    if (type === "directive-line") checkDirective(token, directives, file, positionOf(text, offset));
    const tab = token.indexOf("\t");
    if (!inert && tab >= 0) {
      throw new ConfigError("yaml_syntax_error", file, "YAML syntax error: a tab cannot start a token or sit in a plain scalar (PyYAML refuses it); use spaces", { position: positionOf(text, offset + tab) });
    }
    offset += token.length;
  }
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, version: "1.1", schema: "failsafe", merge: false, uniqueKeys: false });
  // A repeated key is PyYAML's to settle (the last wins), not an error; the
  // parser's own duplicate check is not relied on either way.
  const syntax = doc.errors.find((e) => e.code !== "DUPLICATE_KEY");
  if (syntax !== undefined) {
    throw new ConfigError("yaml_syntax_error", file, `YAML syntax error: ${syntax.message}`, { position: where(syntax.pos[0]), details: { yaml_code: syntax.code } });
  }
  let value: PyValue;
  try {
    value = constructDocument(doc, { isAlias, isMap, isSeq, isScalar, isPair }, tagOffsets);
  } catch (err) {
    if (!(err instanceof ConstructFailure)) throw err;
    const position = err.offset === undefined ? undefined : where(err.offset);
    throw new ConfigError(err.code, file, err.message, { position, ...(err.tag === undefined ? {} : { details: { tag: err.tag } }) });
  }
  return { doc, lines, value };
}

/**
 * PyYAML's checks of the directives: one `%YAML` at most, of major version
 * 1 (a later minor is only warned about), one `%TAG` per handle.
 */
function checkDirective(line: string, seen: Set<string>, file: string, position: ConfigPosition): void {
  const refuse = (why: string): never => {
    throw new ConfigError("yaml_syntax_error", file, `YAML syntax error: ${why}`, { position });
  };
  const yamlDirective = /^%YAML(?=[ \t]|$)/.exec(line);
  if (yamlDirective !== null) {
    const m = /^%YAML[ ]+([0-9]+)\.([0-9]+)[ ]*(?:#.*)?$/.exec(line);
    if (m === null) refuse("a %YAML directive is `%YAML 1.1`");
    if (seen.has("%YAML")) refuse("a second %YAML directive");
    seen.add("%YAML");
    if (m?.[1] !== "1") refuse(`found incompatible YAML document (version 1.* is required), got ${line.trim()}`);
    return;
  }
  const tag = /^%TAG[ ]+(\S+)/.exec(line);
  if (tag !== null) {
    const handle = `%TAG ${tag[1] ?? ""}`;
    if (seen.has(handle)) refuse(`duplicate tag handle ${tag[1] ?? ""}`);
    seen.add(handle);
  }
}
