/**
 * The bounds every config parse works within, and the checks that hold them
 * before the YAML parser (which recurses once per nesting level and spends
 * about a kilobyte and several microseconds per node) ever sees the text.
 *
 * - {@link MAX_CONFIG_DEPTH}: nesting, measured by a linear scan of the
 *   text, so a deep document is refused with a line and column instead of
 *   overflowing the stack.
 * - {@link MAX_CONFIG_NODES}: values and collections written in the text,
 *   counted by the same scan, so the parse of any accepted text stays within
 *   the time and memory targets whatever its shape.
 *
 * What aliases expand to is counted where the values are built, in
 * `_plain.ts` (`yaml_alias_limit`).
 *
 * @module
 */
import { ConfigError } from "../errors.js";
import { positionOf } from "./_text.js";

/**
 * The deepest nesting of collections accepted. PyYAML's recursive composer
 * gives up (RecursionError) a little under 500 levels; the JavaScript parser
 * overflows its stack near 800 on the main thread. Real configs nest fewer
 * than ten levels.
 */
export const MAX_CONFIG_DEPTH = 256;

/**
 * The most values and collections a config's text may write. A lab with a
 * thousand instruments of ten fields each writes about twenty thousand.
 * The parser spends about 20 µs and 1 KB per value: 100,000 plain values
 * took 1.9 s and 175 MB on the reference machine, too close to the 2 s
 * target; at this bound the worst legal config takes about 0.5 s on an idle
 * machine and 1 s on a busy one (measured in `npm run bench`, scenario
 * `config-bounds`).
 */
export const MAX_CONFIG_NODES = 40_000;

/** A block collection open at a column: a sequence (`-`) or a mapping/other. */
interface Open {
  readonly col: number;
  readonly seq: boolean;
}

const isBlank = (c: string | undefined): boolean => c === " " || c === "\t" || c === "\n" || c === "\r" || c === undefined;

/**
 * Scan `text` once and refuse it when its nesting passes
 * {@link MAX_CONFIG_DEPTH} or it writes more than {@link MAX_CONFIG_NODES}
 * values and collections.
 *
 * The scan follows YAML's structure closely enough to count (flow brackets
 * outside quoted scalars, comments and block scalars; block collections by
 * the column their items start at) and errs towards counting more: a
 * document it accepts never nests deeper than it measured.
 *
 * @throws {@link ConfigError} `yaml_too_deep` or `yaml_too_large`, at the
 *   line and column where the bound is passed.
 * @example
 * ```ts
 * scanConfigText("equipment: []\n", "config.yaml"); // passes
 * ```
 */
export function scanConfigText(text: string, file: string, limits: { depth?: number; nodes?: number } = {}): void {
  const maxDepth = limits.depth ?? MAX_CONFIG_DEPTH;
  const maxNodes = limits.nodes ?? MAX_CONFIG_NODES;
  const blocks: Open[] = [];
  let flow = 0;
  let nodes = 0;
  const n = text.length;
  let i = 0;

  const tooDeep = (at: number): never => {
    throw new ConfigError("yaml_too_deep", file, `YAML nests more than ${maxDepth} levels deep here; refusing to parse it (a config nests a few levels)`, {
      position: positionOf(text, at),
      details: { limit: maxDepth },
    });
  };
  const node = (at: number): void => {
    if (++nodes > maxNodes) {
      throw new ConfigError("yaml_too_large", file, `YAML holds more than ${maxNodes} values by here; refusing to parse it (a config holds a few hundred)`, {
        position: positionOf(text, at),
        details: { limit: maxNodes },
      });
    }
  };
  /** A block node starts at column `col` (`seq`: with a `-`). */
  const open = (col: number, seq: boolean, at: number): void => {
    for (let top = blocks.at(-1); top !== undefined && (top.col > col || (top.col === col && top.seq && !seq)); top = blocks.at(-1)) blocks.pop();
    const top = blocks.at(-1);
    if (top === undefined || top.col < col || (top.col === col && seq && !top.seq)) {
      blocks.push({ col, seq });
      if (blocks.length + flow > maxDepth) tooDeep(at);
    }
    node(at);
  };
  const skipQuoted = (quote: string): void => {
    i++;
    while (i < n) {
      const c = text[i];
      if (quote === '"' && c === "\\") i += 2;
      else if (c === quote) {
        if (quote === "'" && text[i + 1] === "'") i += 2;
        else {
          i++;
          return;
        }
      } else i++;
    }
  };
  const skipLine = (): void => {
    while (i < n && text[i] !== "\n") i++;
  };
  /** A `---` or `...` line at `at` (the start of a line). */
  const marker = (at: number): boolean => (text.startsWith("---", at) || text.startsWith("...", at)) && isBlank(text[at + 3]);

  // The parser's own lexer state, followed exactly where it decides what a
  // line holds: `indentValue` is where the current block line's content
  // starts, `indentNext` how far a line must be indented to continue the
  // node before it (a plain or block scalar), `flowKey` whether the last
  // thing read in a flow collection was a quoted scalar or a closed
  // collection, after which `:` is a value indicator without a space.
  let indentValue = 0;
  let indentNext = 0;
  let flowKey = false;
  let lineStart = true;
  /** Where a node may start: quotes, properties and block scalars are recognised only here. */
  let nodeStart = true;
  /**
   * A block scalar's body being skipped: `m` its explicit indentation
   * (or -1), `old` the indentation its first line must reach, `d` the
   * indentation of its content once the first line set it (0: every line
   * but a document marker).
   */
  let scalar: { m: number; old: number; d: number | undefined } | undefined;
  let lineIndent = 0;
  /** Where the current line begins. */
  let bol = 0;

  while (i < n) {
    if (lineStart) {
      bol = i;
      let j = i;
      while (j < n && text[j] === " ") j++;
      const indent = j - i;
      const c = text[j];
      const blank = c === "\n" || j >= n || (c === "\r" && text[j + 1] === "\n");
      if (scalar !== undefined) {
        if (scalar.d === undefined && !blank) {
          if (indent >= scalar.old) {
            scalar.d = scalar.m === -1 ? indent : scalar.m + (scalar.old === 0 ? 1 : scalar.old);
            indentNext = scalar.d;
          } else scalar = undefined;
        }
        if (scalar !== undefined && (blank || (scalar.d !== undefined && (scalar.d > 0 ? indent >= scalar.d : !(indent === 0 && marker(j)))))) {
          i = j;
          skipLine();
          if (i < n) i++;
          continue;
        }
        scalar = undefined;
      }
      lineIndent = indent;
      i = j;
      lineStart = false;
      nodeStart = true;
      if (flow > 0) {
        indentValue = indent;
      } else {
        if (indent === 0 && marker(i)) {
          blocks.length = 0;
          indentValue = 0;
          indentNext = 0;
          i += 3;
          continue;
        }
        indentValue = indent;
        if (indentNext > indent && !isBlank(text[i + 1])) indentNext = indent;
        if (indent === 0 && c === "%") {
          skipLine();
          continue;
        }
        if (!blank && c !== "#" && c !== "\r") open(indent, c === "-" && isBlank(text[i + 1]), i);
      }
    }
    const c = text[i] as string;
    if (c === "\n") {
      i++;
      lineStart = true;
      continue;
    }
    if (c === " " || c === "\t" || c === "\r") {
      i++;
      continue;
    }
    if (c === "#" && (nodeStart || isBlank(text[i - 1]))) {
      skipLine();
      continue;
    }
    if (c === "[" || c === "{") {
      flow++;
      flowKey = false;
      if (blocks.length + flow > maxDepth) tooDeep(i);
      node(i);
      i++;
      nodeStart = true;
      continue;
    }
    if (flow > 0 && (c === "]" || c === "}")) {
      flow--;
      flowKey = true;
      i++;
      nodeStart = false;
      continue;
    }
    if (flow > 0 && c === ",") {
      flowKey = false;
      node(i);
      i++;
      nodeStart = true;
      continue;
    }
    const after = text[i + 1];
    const indicator =
      (c === "-" || c === "?" || c === ":") && (isBlank(after) || (flow > 0 && (after === "," || after === "[" || after === "]" || after === "{" || after === "}")));
    if (indicator || (flow > 0 && c === ":" && flowKey)) {
      // A block or flow indicator: what follows is a nested node.
      const at = i;
      i++;
      while (i < n && (text[i] === " " || text[i] === "\t")) i++;
      if (flow === 0) {
        indentNext = indentValue + 1;
        if (at === bol + lineIndent) indentValue += i - at;
      } else flowKey = false;
      const next = text[i];
      if (flow === 0 && c !== ":" && next !== undefined && next !== "\n" && next !== "\r" && next !== "#") open(i - bol, next === "-" && isBlank(text[i + 1]), i);
      else if (c === ":") node(i);
      nodeStart = true;
      continue;
    }
    if (nodeStart && (c === '"' || c === "'")) {
      skipQuoted(c);
      if (flow > 0) flowKey = true;
      nodeStart = false;
      continue;
    }
    if (nodeStart && (c === "&" || c === "*")) {
      // An anchor or an alias: one token (ending where the parser ends it, in
      // any context), then (but for an alias) the node it names.
      i++;
      while (i < n && !isBlank(text[i]) && !FLOW_INDICATORS.has(text[i] as string)) i++;
      if (c === "*") {
        node(i);
        nodeStart = false;
      }
      continue;
    }
    if (nodeStart && c === "!") {
      // A tag, ending where the parser ends it: a quote or a bracket right
      // after it starts the node it tags.
      if (after === "<") {
        i += 2;
        while (i < n && !isBlank(text[i]) && text[i] !== ">") i++;
        if (text[i] === ">") i++;
      } else {
        i++;
        for (;;) {
          const t = text[i];
          if (t !== undefined && TAG_CHARS.has(t)) i++;
          else if (t === "%" && HEX.test(text.slice(i + 1, i + 3))) i += 3;
          else break;
        }
      }
      continue;
    }
    if (nodeStart && flow === 0 && (c === "|" || c === ">")) {
      // A block scalar: its body is every following line indented as the
      // parser requires (set by an explicit indentation, else by its first
      // line, which must pass the node it belongs to).
      let m = -1;
      for (let k = i + 1; ; k++) {
        const h = text[k];
        if (h === "+" || h === "-") continue;
        if (h !== undefined && h > "0" && h <= "9") m = Number(h) - 1;
        else break;
      }
      scalar = { m, old: indentNext, d: undefined };
      skipLine();
      continue;
    }
    // Plain text, up to what may end it; it goes on over the following
    // lines as far as the parser continues it.
    nodeStart = false;
    flowKey = false;
    i++;
    while (i < n) {
      const d = text[i] as string;
      if (d === "\n") {
        let k = i + 1;
        while (text[k] === " ") k++;
        const e = text[k];
        const first = text[i + 1];
        if (first === "#" || (flow > 0 && first !== undefined && FLOW_INDICATORS.has(first))) break;
        const cont = indentNext > 0 ? e === "\n" || (e === "\r" && text[k + 1] === "\n") || k - i - 1 >= indentNext : !marker(i + 1);
        if (!cont || e === undefined || e === "#" || (flow > 0 && FLOW_INDICATORS.has(e))) break;
        bol = i + 1;
        lineIndent = k - i - 1;
        i = k;
        continue;
      }
      if ((d === "#" && isBlank(text[i - 1])) || (d === ":" && isBlank(text[i + 1]))) break;
      if (flow > 0 && (FLOW_INDICATORS.has(d) || d === ":")) break;
      i++;
    }
  }
}

const FLOW_INDICATORS = new Set([",", "[", "]", "{", "}"]);
const TAG_CHARS = new Set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-#;/?:@&=+$_.!~*'()");
const HEX = /^[0-9a-fA-F]{2}$/;
