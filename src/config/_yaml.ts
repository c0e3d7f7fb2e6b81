/**
 * Parsing a config text into a YAML document that holds what PyYAML's
 * `safe_load` would load, or refusing it where `safe_load` refuses it.
 *
 * @module
 */
import type { Document, LineCounter } from "yaml";
import { ConfigError, type ConfigPosition } from "../errors.js";
import { ConstructFailure, constructDocument } from "./_construct.js";
import { checkPyyamlSyntax } from "./_pyyaml-syntax.js";
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
export async function parseConfigDocument(original: string, file: string): Promise<ConfigDocument> {
  // Past the stream's first character U+FEFF is text to PyYAML; the parser
  // drops it at the start of a line. It is parsed as a private-use
  // character the file does not hold, and given back in the values.
  let bom: string | undefined;
  let text = original;
  if (original.includes("\ufeff")) {
    for (let c = 0xe000; c <= 0xf8ff && bom === undefined; c++) if (!original.includes(String.fromCharCode(c))) bom = String.fromCharCode(c);
    if (bom !== undefined) text = original.replaceAll("\ufeff", bom);
  }
  const { LineCounter, Lexer, Parser, Composer, CST, YAMLParseError, isScalar, isPair, isMap, isSeq, isAlias } = await import("yaml");
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
  // Within an unknown directive's line, which PyYAML skips to its end.
  let ignoring = false;
  const directives = new Set<string>();
  const tagOffsets: number[] = [];
  let first = true;
  // PyYAML's stricter token rules; reported after the parser's own errors,
  // which name the place better when both apply.
  let deferred: ConfigError | undefined;
  // Where the first `...` ends, while nothing but more `...` follows it.
  let onlyEndsAfter: number | undefined;
  for (const token of new Lexer().lex(text)) {
    // The lexer's own control characters (document, scalar, flow end) are not in the text.
    if (token === "\x02" || token === "\x1f" || token === "\x18") continue;
    const type = CST.tokenType(token);
    const bodyToken = block === "body" && type !== "newline" && type !== "comment";
    // PyYAML skips the rest of an unknown directive's line, tabs included.
    if (type === "directive-line") ignoring = !/^%(?:YAML|TAG)(?:[ \t]|$)/.test(token) && /^%[0-9A-Za-z_-]+ /.test(token);
    else if (type === "newline") ignoring = false;
    const ignoredDirective = ignoring;
    const inert = type === "double-quoted-scalar" || type === "single-quoted-scalar" || type === "comment" || type === "block-scalar-header" || bodyToken || ignoredDirective;
    if (type === "block-scalar-header") block = "header";
    else if (block === "header" && type === "newline") block = "body";
    else if (bodyToken) block = "none";
    if (type === "tag") tagOffsets.push(offset);
    // PyYAML starts a document at the first token that is not a directive
    // or `---`: a `...` there ends a document that has no node.
    if (first && type === "doc-end" && /^(?:[ \t\r\n]|$)/.test(text.slice(offset + 3, offset + 4))) {
      deferred ??= new ConfigError("yaml_syntax_error", file, "YAML syntax error: `...` ends a document that has not started", { position: positionOf(text, offset) });
    }
    const significant = type !== "space" && type !== "newline" && type !== "comment" && type !== "byte-order-mark";
    if (significant) first = false;
    if (type === "doc-end") onlyEndsAfter ??= offset + token.length;
    else if (significant) onlyEndsAfter = undefined;
    // PyYAML ends a tag at a space or a line break, and nothing else.
    if (type === "tag" && !/^(?:[ \r\n\x85\u2028\u2029]|$)/.test(text.slice(offset + token.length, offset + token.length + 1))) {
      deferred ??= new ConfigError("yaml_syntax_error", file, "YAML syntax error: a tag is followed by a space or the end of the line (PyYAML refuses anything else)", { position: positionOf(text, offset) });
    }
    // PyYAML's anchor and alias names are letters, digits, `-` and `_`.
    const follows = text.slice(offset + token.length, offset + token.length + 1);
    if ((type === "anchor" || type === "alias") && (!/^[&*][0-9A-Za-z_-]+$/.test(token) || !/^(?:[ \t\r\n\x85\u2028\u2029?:,\]}%@`]|$)/.test(follows))) {
      deferred ??= new ConfigError("yaml_syntax_error", file, "YAML syntax error: an anchor or alias name is letters, digits, `-` and `_` only (PyYAML refuses other characters)", { position: positionOf(text, offset) });
    }
    if (type === "directive-line") {
      try {
        checkDirective(token, directives, file, positionOf(text, offset));
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        deferred ??= err;
      }
    }
    const tab = token.indexOf("\t");
    if (!inert && tab >= 0) {
      throw new ConfigError("yaml_syntax_error", file, "YAML syntax error: a tab cannot start a token or sit in a plain scalar (PyYAML refuses it); use spaces", { position: positionOf(text, offset + tab) });
    }
    offset += token.length;
  }
  // Parsed once: the composer and the PyYAML syntax check read the same
  // tokens. As the package's parseDocument does, the first document is kept
  // and a second one is an error.
  const tokens = [...new Parser(lines.addNewLine).parse(text)];
  let doc: Document.Parsed | undefined;
  for (const next of new Composer({ version: "1.1", schema: "failsafe", merge: false, uniqueKeys: false }).compose(tokens, true, text.length)) {
    if (doc === undefined) {
      doc = next;
      continue;
    }
    doc.errors.push(new YAMLParseError([next.range[0], next.range[1]], "MULTIPLE_DOCS", "Source contains multiple documents; please use YAML.parseAllDocuments()"));
    break;
  }
  if (doc === undefined) throw new Error("the YAML composer gave no document");
  // A repeated key is PyYAML's to settle (the last wins), not an error; the
  // parser's own duplicate check is not relied on either way.
  // A `...` after the document's end is skipped by PyYAML; the parser
  // counts it as a second, empty document.
  // Tags are PyYAML's to resolve (below), whatever a `%YAML` directive makes
  // of the parser's own schema.
  const syntax = doc.errors.find((e) => e.code !== "DUPLICATE_KEY" && !(e.code === "TAG_RESOLVE_FAILED" && !e.message.startsWith("Could not resolve tag")) && !(e.code === "MULTIPLE_DOCS" && onlyEndsAfter !== undefined && e.pos[0] >= onlyEndsAfter));
  if (syntax !== undefined) {
    throw new ConfigError("yaml_syntax_error", file, `YAML syntax error: ${syntax.message}`, { position: where(syntax.pos[0]), details: { yaml_code: syntax.code } });
  }
  if (deferred !== undefined) throw deferred;
  checkPyyamlSyntax(tokens, text, file);
  let value: PyValue;
  try {
    value = constructDocument(doc, { isAlias, isMap, isSeq, isScalar, isPair }, tagOffsets, bom);
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
  if (!/^%[0-9A-Za-z_-]+(?: |$)/.test(line)) refuse("a directive's name is letters, digits, `-` and `_`, then a space");
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
  if (/^%TAG(?: |$)/.test(line) && !/^%TAG[ ]+(?:!|!!|![0-9A-Za-z_-]+!)[ ]+(?:[0-9A-Za-z\-;/?:@&=+$,_.!~*'()[\]]|%[0-9A-Fa-f]{2})+(?:[ ]+(?:#.*)?)?$/.test(line)) {
    refuse("a %TAG directive is `%TAG !handle! prefix`, the handle `!`, `!!` or `!name!`");
  }
  if (tag !== null) {
    const handle = `%TAG ${tag[1] ?? ""}`;
    if (seen.has(handle)) refuse(`duplicate tag handle ${tag[1] ?? ""}`);
    seen.add(handle);
  }
}
