/**
 * A grammar of YAML documents for the differential fuzzer, as fast-check
 * arbitraries (so a failing document shrinks) and a renderer to bytes.
 *
 * It covers every scalar style and PyYAML resolver (ints in every base,
 * sexagesimal, floats with and without a dot, `.inf`/`.nan`, YAML 1.1
 * booleans in every case, nulls, dates and datetimes with and without an
 * offset), the standard, non-specific and unknown tags, anchors and aliases
 * (a small pool of names, so names repeat and aliases sometimes name
 * nothing), `<<` merges of a mapping, an alias or a list of them, repeated
 * keys, flow and block collections, block scalars with every chomping and
 * indentation indicator, explicit (`?`) and complex keys, comments,
 * directives, document markers and a second document, encodings with and
 * without byte order marks, every line break PyYAML knows, and a random
 * one-character edit for the syntax PyYAML refuses.
 */
import fc from "fast-check";

export type Style = "plain" | "single" | "double" | "literal" | "folded";

export interface Props {
  readonly tag: string | undefined;
  readonly anchor: number | undefined;
}
export type YNode =
  | { readonly t: "scalar"; readonly text: string; readonly style: Style; readonly chomp: "" | "-" | "+"; readonly indicator: number; readonly props: Props; readonly comment: boolean }
  | { readonly t: "alias"; readonly pick: number }
  | { readonly t: "seq"; readonly flow: boolean; readonly items: readonly YNode[]; readonly props: Props }
  | { readonly t: "map"; readonly flow: boolean; readonly pairs: readonly (readonly [YNode, YNode, boolean])[]; readonly props: Props };

export interface YDoc {
  readonly directives: readonly string[];
  readonly start: "none" | "marker" | "marker-inline";
  readonly body: YNode;
  readonly end: boolean;
  readonly second: YNode | undefined;
  readonly leadingComment: boolean;
  readonly encoding: "utf-8" | "utf-8-bom" | "utf-16le-bom" | "utf-16be-bom" | "utf-16le" | "utf-32le-bom" | "utf-32be-bom" | "latin-1";
  readonly lineBreak: "\n" | "\r\n" | "\r" | "\x85" | "\u2028" | "\u2029" | "mixed";
  readonly edit: { readonly at: number; readonly op: "insert" | "delete"; readonly char: string } | undefined;
}

const INTS = ["0", "7", "012", "0o17", "0x1F", "0xff_ff", "0b101", "0b1_0", "1_000", "+12", "-0", "-17", "1:20", "190:20:30", "-1:5", "1:60", "09", "0b", "0x", "1__", "_1", "12345678901234567890123", "+0x_1", "0_", "00", "-0b11", "1:2:3"];
const FLOATS = ["1.5", ".5", "1.", "-.inf", ".Inf", "+.INF", ".NaN", ".nan", "-.nan", "1e3", "1.0e+3", "1.0e3", "1.0E-3", "6.8523015e+5", "1:20.5", "+.5", "._1", "1_0.5", "0.", "-0.0", "1.5e+400", "1.__", "3.14159265358979323846", ".5e-3", "1e+3", "-1.e+2"];
const BOOLS = ["yes", "Yes", "YES", "yEs", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF", "true", "True", "TRUE", "tRUE", "false", "False", "FALSE", "y", "n", "Y", "N"];
const NULLS = ["~", "null", "Null", "NULL", "nULL", ""];
const TIMES = ["2001-12-14", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5", "2001-12-15T02:59:43.1Z", "2001-12-14 21:59:43.10 +05:30", "2001-1-1 1:00:00", "2001-02-29", "2000-02-29", "2001-13-01", "2001-12-14 24:00:00", "2001-12-14T21:59:43+23:59", "2001-12-14T21:59:43+24:00", "0000-01-01", "2001-12-14 21:59:43.1234567", "2001-12-14   21:59:43 Z", "2001-12-14T21:59:43.", "1969-12-31T23:59:59.999999-00:01", "9999-12-31T23:59:59Z", "2001-12-14 21:59:43 +1"];
const TEXTS = ["abc", "a b", "<<", "=", "-", "?", ":", "a: b", "a #b", "#x", "a'b", 'a"b', "caf\u00e9", "\u{1F52C} scope", "x\ty", "x\ny", "x\n\ny", "@x", "`x", "%x", "!x", "&x", "*x", "|", ">", "[a]", "{a}", ",", "a,b", "  lead", "trail ", "a\u0085b", "back\\slash", "\\n", "- x", "? x", "a\u00a0b", "\ufeffbom", "...", "---", "x:y", "http://x/y#z"];
const BINARY = ["aGk=", "aGk", "a", "aG*k=junk", "aGk==", "=aGk", "YWJj\nZGVm", "caf\u00e9", "", "====", "YQ", "YQ=x"];
const KEYS = ["a", "b", "c", "a", "<<", "=", "1", "1.0", "true", "yes", "~", "", "2001-01-01", "equipment", "paths", "id", "0x1", "-0", "!"];
const TAGS = ["!!str", "!!int", "!!float", "!!bool", "!!null", "!!timestamp", "!!binary", "!!set", "!!omap", "!!pairs", "!!seq", "!!map", "!", "!foo", "!!python/str", "!<tag:yaml.org,2002:str>", "!<tag:yaml.org,2002:int>", "!!merge", "!!value", "!e!str", "!e!int", "!!%69nt"];

const pool = (words: readonly string[]): fc.Arbitrary<string> => fc.constantFrom(...words);
const scalarText = fc.oneof(
  { weight: 3, arbitrary: fc.oneof(pool(INTS), pool(FLOATS), pool(BOOLS), pool(NULLS), pool(TIMES)) },
  { weight: 3, arbitrary: pool(TEXTS) },
  { weight: 1, arbitrary: pool(BINARY) },
  { weight: 1, arbitrary: fc.tuple(pool([...INTS, ...TEXTS, ...FLOATS]), pool([" ", "\n", "_", ":", "."]), pool([...INTS, ...TEXTS])).map(([a, s, b]) => a + s + b) },
);
/** Present one time in `1 + rest`. */
const sometimes = <T>(arb: fc.Arbitrary<T>, rest: number): fc.Arbitrary<T | undefined> => fc.oneof({ weight: rest, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });
const props: fc.Arbitrary<Props> = fc.record({
  tag: sometimes(pool(TAGS), 1),
  // 0 repeats the last anchor's name (PyYAML refuses that), else a new name.
  anchor: sometimes(fc.nat(9), 1),
});
const noProps: Props = { tag: undefined, anchor: undefined };

const { node } = fc.letrec<{ node: YNode; scalar: YNode; alias: YNode; seq: YNode; map: YNode; key: YNode }>((tie) => ({
  node: fc.oneof({ maxDepth: 3, depthIdentifier: "node", withCrossShrink: true }, tie("scalar"), tie("alias"), tie("seq"), tie("map")),
  scalar: fc.record({
    t: fc.constant("scalar" as const),
    text: scalarText,
    style: fc.constantFrom<Style>("plain", "plain", "plain", "single", "double", "literal", "folded"),
    chomp: fc.constantFrom<"" | "-" | "+">("", "-", "+"),
    indicator: fc.nat(3),
    props: fc.oneof({ weight: 3, arbitrary: fc.constant(noProps) }, { weight: 1, arbitrary: props }),
    comment: fc.boolean(),
  }),
  alias: fc.record({ t: fc.constant("alias" as const), pick: fc.nat(19) }),
  seq: fc.record({
    t: fc.constant("seq" as const),
    flow: fc.boolean(),
    items: fc.array(tie("node"), { maxLength: 4, depthIdentifier: "node" }),
    props: fc.oneof({ weight: 2, arbitrary: fc.constant(noProps) }, { weight: 1, arbitrary: props }),
  }),
  map: fc.record({
    t: fc.constant("map" as const),
    flow: fc.boolean(),
    pairs: fc.array(fc.tuple(tie("key"), tie("node"), fc.boolean()), { maxLength: 4, depthIdentifier: "node" }),
    props: fc.oneof({ weight: 2, arbitrary: fc.constant(noProps) }, { weight: 1, arbitrary: props }),
  }),
  key: fc.oneof(
    { weight: 6, arbitrary: fc.record({ t: fc.constant("scalar" as const), text: pool(KEYS), style: fc.constantFrom<Style>("plain", "plain", "single", "double"), chomp: fc.constant("" as const), indicator: fc.constant(0), props: fc.oneof({ weight: 5, arbitrary: fc.constant(noProps) }, { weight: 1, arbitrary: props }), comment: fc.constant(false) }) },
    { weight: 1, arbitrary: tie("alias") },
    { weight: 1, arbitrary: tie("node") },
  ),
}));

/** Documents as the fuzzer draws them. */
export const yamlDocument: fc.Arbitrary<YDoc> = fc.record({
  directives: fc.oneof(
    { weight: 8, arbitrary: fc.constant([] as string[]) },
    { weight: 1, arbitrary: fc.array(pool(["%YAML 1.1", "%YAML 1.2", "%YAML 2.0", "%YAML 1.1.1", "%TAG !e! tag:yaml.org,2002:", "%TAG ! tag:yaml.org,2002:", "%FOO bar"]), { minLength: 1, maxLength: 2 }) },
  ),
  start: fc.constantFrom<YDoc["start"]>("none", "none", "none", "marker", "marker-inline"),
  body: fc.oneof({ weight: 4, arbitrary: fc.record({ t: fc.constant("map" as const), flow: fc.constant(false), pairs: fc.array(fc.tuple(node, node, fc.boolean()), { maxLength: 5 }).map((ps) => ps.map(([k, v, x]): readonly [YNode, YNode, boolean] => [k.t === "scalar" || k.t === "alias" ? k : { t: "scalar", text: "k", style: "plain", chomp: "", indicator: 0, props: noProps, comment: false }, v, x])), props: fc.constant(noProps) }) }, { weight: 1, arbitrary: node }),
  end: fc.boolean(),
  second: sometimes(node, 30),
  leadingComment: fc.boolean(),
  encoding: fc.oneof({ weight: 20, arbitrary: fc.constant("utf-8" as const) }, { weight: 1, arbitrary: fc.constantFrom<YDoc["encoding"]>("utf-8-bom", "utf-16le-bom", "utf-16be-bom", "utf-16le", "utf-32le-bom", "utf-32be-bom", "latin-1") }),
  lineBreak: fc.oneof({ weight: 20, arbitrary: fc.constant("\n" as const) }, { weight: 1, arbitrary: fc.constantFrom<YDoc["lineBreak"]>("\r\n", "\r", "\x85", "\u2028", "\u2029", "mixed") }),
  edit: sometimes(fc.record({ at: fc.nat(400), op: fc.constantFrom<"insert" | "delete">("insert", "delete"), char: pool([" ", "\t", ":", "-", "#", "'", '"', "[", "]", "{", "}", ",", "\n", "&", "*", "!", "|", ">", "?", "%", "@", "\\", "\u0000", "\u00e9"]) }), 10),
});

// ---- rendering ----

const sp = (n: number): string => " ".repeat(n);

class Renderer {
  private anchors: string[] = [];

  private propsText(p: Props): string {
    const parts: string[] = [];
    if (p.anchor !== undefined) {
      const name = p.anchor === 0 && this.anchors.length > 0 ? (this.anchors[this.anchors.length - 1] ?? "a") : `a${this.anchors.length}`;
      this.anchors.push(name);
      parts.push(`&${name}`);
    }
    if (p.tag !== undefined) parts.push(p.tag);
    return parts.join(" ");
  }

  private aliasText(pick: number): string {
    // Mostly an alias of an anchor before it; sometimes one of nothing.
    if (this.anchors.length === 0) return pick === 0 ? "*a9" : "x";
    return `*${this.anchors[pick % this.anchors.length] ?? "a9"}`;
  }

  /** A scalar written inline (plain, quoted), its continuation lines at `indent`. */
  private inlineScalar(text: string, style: Style, indent: number, flow: boolean): string {
    if (style === "single") return `'${text.replace(/'/g, "''").replace(/\n/g, "\n\n" + sp(indent))}'`;
    if (style === "double") {
      const escaped = text.replace(/[\\"]/g, (c) => "\\" + c).replace(/\t/g, indent % 2 === 0 ? "\\t" : "\t").replace(/\u0085/g, "\\N").replace(/\u00a0/g, "\\_").replace(/\ufeff/g, "\\ufeff").replace(/\n/g, indent % 3 === 0 ? "\\n" : "\n" + sp(indent));
      return `"${escaped}"`;
    }
    // Plain: a line break continues on a more indented line.
    void flow;
    return text.replace(/\n/g, "\n" + sp(indent));
  }

  private blockScalar(n: Extract<YNode, { t: "scalar" }>, indent: number): string {
    const head = (n.style === "literal" ? "|" : ">") + (n.indicator > 0 ? String(n.indicator) : "") + n.chomp;
    const step = n.indicator > 0 ? n.indicator : 2;
    const lines = (n.text + (n.chomp === "+" ? "\n\n" : "\n")).split("\n");
    const body = lines.map((l, i) => (l === "" && i > 0 ? "" : sp(indent + step) + l)).join("\n");
    return `${head}${n.comment ? " # c" : ""}\n${body}`;
  }

  /** A node after `key:` or `- ` (what follows on the same line, and any lines after). */
  value(n: YNode, indent: number, flow: boolean): string {
    if (n.t === "alias") return this.aliasText(n.pick);
    const props = this.propsText(n.props ?? noProps);
    const pre = props === "" ? "" : props + " ";
    if (n.t === "scalar") {
      if (!flow && (n.style === "literal" || n.style === "folded")) return pre + this.blockScalar(n, indent);
      const style = n.style === "literal" || n.style === "folded" ? "double" : n.style;
      return pre + this.inlineScalar(n.text, style, indent + 1, flow) + (!flow && n.comment ? " # c" : "");
    }
    if (flow || n.flow || (n.t === "seq" ? n.items.length : n.pairs.length) === 0) return pre + this.flowCollection(n);
    return props + "\n" + this.block(n, indent + 2);
  }

  private flowCollection(n: Extract<YNode, { t: "seq" | "map" }>): string {
    if (n.t === "seq") return `[${n.items.map((i) => this.value(i, 1, true)).join(", ")}]`;
    return `{${n.pairs.map(([k, v, explicit]) => `${explicit ? "? " : ""}${this.key(k, true)}: ${this.value(v, 1, true)}`).join(", ")}}`;
  }

  private key(k: YNode, flow: boolean): string {
    if (k.t === "scalar") {
      const props = this.propsText(k.props);
      const style = k.style === "literal" || k.style === "folded" ? "double" : k.style;
      return (props === "" ? "" : props + " ") + this.inlineScalar(k.text, style, 1, flow);
    }
    if (k.t === "alias") return this.aliasText(k.pick) + " ";
    const props = this.propsText(k.props);
    return (props === "" ? "" : props + " ") + this.flowCollection(k);
  }

  /** A block collection whose lines start at `indent`. */
  block(n: YNode, indent: number): string {
    if (n.t === "seq" && !n.flow && n.items.length > 0) {
      return n.items.map((item) => `${sp(indent)}-${this.seqItem(item, indent)}`).join("\n");
    }
    if (n.t === "map" && !n.flow && n.pairs.length > 0) {
      return n.pairs
        .map(([k, v, explicit]) => {
          if (explicit || (k.t !== "scalar" && k.t !== "alias")) {
            const keyText = k.t === "seq" || k.t === "map" ? this.value(k, indent, false) : this.key(k, false);
            return `${sp(indent)}? ${keyText}\n${sp(indent)}:${this.seqItem(v, indent)}`;
          }
          return `${sp(indent)}${this.key(k, false)}:${this.mapValue(v, indent)}`;
        })
        .join("\n");
    }
    return sp(indent) + this.value(n, indent, false);
  }

  private mapValue(v: YNode, indent: number): string {
    // A block sequence under a key may sit at the key's own indentation.
    if (v.t === "seq" && !v.flow && v.items.length > 0 && v.props.tag === undefined && v.props.anchor === undefined && indent % 4 === 0) return "\n" + this.block(v, indent);
    const text = this.value(v, indent, false);
    return text.startsWith("\n") ? text : " " + text;
  }

  private seqItem(item: YNode, indent: number): string {
    if ((item.t === "map" || item.t === "seq") && !item.flow && (item.t === "map" ? item.pairs.length : item.items.length) > 0 && item.props.tag === undefined && item.props.anchor === undefined) {
      // Compact: the first line of the collection shares the dash's line.
      return " " + this.block(item, indent + 2).slice(indent + 2);
    }
    const text = this.value(item, indent, false);
    return text.startsWith("\n") ? text : " " + text;
  }

  document(d: YDoc): string {
    let out = d.leadingComment ? "# config\n" : "";
    for (const dir of d.directives) out += dir + "\n";
    const marker = d.start !== "none" || d.directives.length > 0;
    const body = d.body;
    if (marker && d.start === "marker-inline" && (body.t === "scalar" || body.t === "alias" || ((body.t === "seq" || body.t === "map") && body.flow))) {
      out += "--- " + this.value(body, 0, false) + "\n";
    } else {
      if (marker) out += "---\n";
      out += this.block(body, 0) + "\n";
    }
    if (d.end) out += "...\n";
    if (d.second !== undefined) out += "---\n" + this.block(d.second, 0) + "\n";
    return out;
  }
}

function encode(text: string, encoding: YDoc["encoding"]): Buffer {
  switch (encoding) {
    case "utf-8":
      return Buffer.from(text, "utf8");
    case "utf-8-bom":
      return Buffer.from("\ufeff" + text, "utf8");
    case "utf-16le-bom":
      return Buffer.from("\ufeff" + text, "utf16le");
    case "utf-16le":
      return Buffer.from(text, "utf16le");
    case "utf-16be-bom":
      return Buffer.from("\ufeff" + text, "utf16le").swap16();
    case "latin-1":
      return Buffer.from(text, "latin1");
    default: {
      const cps = [0xfeff, ...[...text].map((c) => c.codePointAt(0) ?? 0)];
      const b = Buffer.alloc(cps.length * 4);
      cps.forEach((cp, i) => (encoding === "utf-32le-bom" ? b.writeUInt32LE(cp, i * 4) : b.writeUInt32BE(cp, i * 4)));
      return b;
    }
  }
}

/** The document's text, before encoding. */
export function renderText(d: YDoc): string {
  let text = new Renderer().document(d);
  if (d.lineBreak !== "\n") {
    const breaks = ["\r\n", "\r", "\x85", "\u2028", "\u2029", "\n"];
    let i = 0;
    text = text.replace(/\n/g, () => (d.lineBreak === "mixed" ? (breaks[i++ % breaks.length] ?? "\n") : d.lineBreak));
  }
  if (d.edit !== undefined) {
    const at = d.edit.at % (text.length + 1);
    text = d.edit.op === "insert" ? text.slice(0, at) + d.edit.char + text.slice(at) : text.slice(0, at) + text.slice(at + 1);
  }
  return text;
}

/** The document's bytes, as a file would hold them. */
export function renderBytes(d: YDoc): Buffer {
  return encode(renderText(d), d.encoding);
}
