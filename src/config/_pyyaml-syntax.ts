/**
 * The places where PyYAML's scanner and parser are stricter than the
 * `yaml` package's YAML 1.2 grammar, checked over the package's concrete
 * syntax tree so that a file PyYAML refuses is refused here too:
 *
 * - a mapping key that is empty is written after `?` (`: v` alone, `[: v]`
 *   and `{: v}` are errors to PyYAML), unless a tag or an anchor stands for it;
 * - a key written without `?` (a "simple key") sits on one line;
 * - inside `[...]` and `{...}`, a `?` ends a plain scalar, so a plain
 *   scalar there holds no `?`;
 * - a quoted value is not run into the next token (`"a"'b'`);
 * - a block scalar at the top of a document is indented by at least one
 *   space (PyYAML's least indentation is 1, where YAML 1.2 allows 0).
 *
 * @module
 */
import type { CST } from "yaml";
import { ConfigError } from "../errors.js";
import { positionOf } from "./_text.js";

type Token = CST.Token;
type Item = CST.CollectionItem;

/**
 * @throws {@link ConfigError} `yaml_syntax_error` at the first place PyYAML
 *   would stop.
 */
export function checkPyyamlSyntax(tokens: Iterable<Token>, text: string, file: string): void {
  const refuse = (offset: number, why: string): never => {
    throw new ConfigError("yaml_syntax_error", file, `YAML syntax error: ${why}`, { position: positionOf(text, offset) });
  };
  const column = (offset: number): number => {
    let i = offset;
    while (i > 0 && !"\r\n\x85\u2028\u2029".includes(text[i - 1] ?? "")) i--;
    return offset - i;
  };
  const checkItem = (item: Item, flow: boolean): void => {
    const question = item.start.find((t) => t.type === "explicit-key-ind");
    const explicit = question !== undefined;
    const colon = item.sep?.find((t) => t.type === "map-value-ind");
    // After `? key`, a `:` that starts its line sits under the `?`.
    if (!flow && question !== undefined && colon !== undefined && item.sep?.some((t) => t.type === "newline" && t.offset < colon.offset) === true && column(colon.offset) !== column(question.offset)) {
      refuse(colon.offset, "the `:` of a `? key` goes under its `?`");
    }
    if (!explicit && colon !== undefined) {
      const props = item.start.filter((t) => t.type === "anchor" || t.type === "tag");
      if (item.key === null || item.key === undefined) {
        if (props.length === 0) refuse(colon.offset, "a mapping key cannot be empty unless written after `?` (PyYAML refuses `: value`)");
      } else {
        const from = props[0]?.offset ?? item.key.offset;
        if (/[\r\n\x85\u2028\u2029]/.test(text.slice(from, colon.offset))) refuse(from, "a key written without `?` must fit on one line");
      }
    }
    if (item.key !== null && item.key !== undefined) walk(item.key, flow, false);
    if (item.value !== undefined) walk(item.value, flow, false);
  };
  const walk = (token: Token, flow: boolean, top: boolean): void => {
    switch (token.type) {
      case "document":
        if (token.value !== undefined) walk(token.value, false, true);
        return;
      case "block-map":
      case "block-seq":
        for (const item of token.items) checkItem(item, false);
        return;
      case "flow-collection":
        for (const item of token.items) checkItem(item, true);
        return;
      case "scalar": {
        const q = token.source.indexOf("?");
        if (flow && q >= 0) refuse(token.offset + q, "inside `[...]` or `{...}` a `?` ends a plain value (PyYAML reads it as a key indicator); quote the value");
        // Inside brackets PyYAML reads a `:` as an indicator, never as the
        // start of a plain value.
        if (flow && token.source.startsWith(":")) refuse(token.offset, "a plain value inside `[...]` or `{...}` cannot start with `:`; quote it");
        return;
      }
      case "single-quoted-scalar":
      case "double-quoted-scalar": {
        // What follows a quoted value on its line: a separator, or nothing.
        const after = token.offset + token.source.length;
        if (!/^(?:[ \t\r\n\x85\u2028\u2029:,\]}#]|$)/.test(text.slice(after, after + 1))) refuse(after, "a quoted value is followed by a space, `:`, `,` or the end of its line");
        return;
      }
      case "block-scalar": {
        if (!top) return;
        const lines = token.source.split(/\r\n|[\r\n]/);
        const header = token.props.find((t) => t.type === "newline");
        let at = header === undefined ? token.offset : header.offset + 1;
        for (const line of lines) {
          if (line !== "" && !line.startsWith(" ")) refuse(at, "a block scalar's lines must be indented (PyYAML needs at least one space)");
          at += line.length + 1;
        }
        return;
      }
      default:
        return;
    }
  };
  for (const token of tokens) walk(token, false, false);
}
