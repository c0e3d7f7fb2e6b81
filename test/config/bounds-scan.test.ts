/**
 * The text scan that runs before the parser must never measure a document
 * shallower than the parser will find it (or the parser, not the scan,
 * meets the deep document), and must never refuse an ordinary one.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { Document, isCollection, parseAllDocuments, visit } from "yaml";
import { MAX_CONFIG_DEPTH, scanConfigText } from "../../src/config/_bounds.js";
import { ConfigError } from "../../src/errors.js";

/** Text that stresses the scan: brackets, quotes, comment marks and indicators inside scalars. */
const tricky = fc.constantFrom("a", "[", "]", "{x", "}", "'", '"', "#", " # c", "a: b", "- x", "it's", 'say "[["', "\\", "|", ">", "&a", "*a", "!t", "x,y", "", "'x #'", '"a\\" #"', ":", "|2", ">-", "&a[", "!t[", "\n  ");
const scalar = fc.oneof(fc.integer(), tricky, fc.string({ unit: tricky, maxLength: 4 }));

const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: "small", withCrossShrink: true }, scalar, tie("seq"), tie("map")),
  seq: fc.array(tie("node"), { maxLength: 3 }),
  map: fc.dictionary(fc.string({ unit: tricky, minLength: 1, maxLength: 3 }), tie("node"), { maxKeys: 3 }),
})).node;

/** How deep the parser nests the collections of `text`; undefined when it is not YAML. */
function parsedDepth(text: string): number | undefined {
  let max = 0;
  for (const doc of parseAllDocuments(text, { version: "1.1", merge: true, uniqueKeys: false })) {
    if (!(doc instanceof Document) || doc.errors.length > 0) return undefined;
    visit(doc, (_key, node, path) => {
      const d = path.filter((p) => isCollection(p)).length + (isCollection(node) ? 1 : 0);
      if (d > max) max = d;
    });
  }
  return max;
}

function refusedAt(text: string, depth: number): boolean {
  try {
    scanConfigText(text, "config.yaml", { depth, nodes: 1_000_000 });
    return false;
  } catch (err) {
    if (err instanceof ConfigError && err.code === "yaml_too_deep") return true;
    throw err;
  }
}

test("the scan never measures a document shallower than the parser nests it, in block or flow style", () => {
  fc.assert(
    fc.property(value, fc.array(fc.boolean(), { minLength: 1, maxLength: 16 }), fc.boolean(), fc.boolean(), (v, styles, indentSeq, singleQuote) => {
      // Each collection in flow or block style, as drawn: block inside flow
      // is written as flow, so every mix a file can hold occurs.
      const doc = new Document({ x: v });
      let k = 0;
      visit(doc, { Collection: (_key, node) => void (node.flow = styles[k++ % styles.length] === true) });
      // A sequence in a mapping may start at the key's own column.
      const text = doc.toString({ indentSeq, singleQuote });
      const real = parsedDepth(text);
      // The serializer writes an empty flow collection under `indentSeq: false`
      // at its key's column, which no parser reads back: not a case.
      fc.pre(real !== undefined);
      // One level less than the real depth must be refused...
      assert.equal(refusedAt(text, real - 1), true, `depth ${real} measured as less:\n${text}`);
      // ...and an ordinary document is never refused by the real bound.
      assert.equal(refusedAt(text, MAX_CONFIG_DEPTH), false, text);
    }),
    { numRuns: 2000, seed: 20261206 },
  );
});

/**
 * Hand-written forms the serializer never writes but a person may: block
 * scalars under `- key: |` with keys after them, `:` right after a quoted
 * key in a flow mapping, anchors and tags right before brackets, escapes
 * in double quotes, plain scalars going on over lines. Each is drawn with
 * a nested flow collection after it, which the scan must still measure.
 */
const form = fc.constantFrom(
  (deep: string) => `- key: |\n  ${deep === "" ? "y: 1" : `y: ${deep}`}\n`,
  (deep: string) => `- key: |\n   content #\n  y: ${deep}\n`,
  (deep: string) => `- - key: >-\n     text\n    y: ${deep}\n`,
  (deep: string) => `a:\n  b: |2\n     indented\n  c: ${deep}\n`,
  (deep: string) => `- |\n x "\n- ${deep}\n- '"\n`,
  (deep: string) => `- &a !t |\n  x\n- ${deep}\n`,
  (deep: string) => `{"a":'x #', k: ${deep}}\n`,
  (deep: string) => `{"a":"x #", k: ${deep}}\n`,
  (deep: string) => `{'a':"x\\" #", k: ${deep}}\n`,
  (deep: string) => `["a" :'x #', ${deep}]\n`,
  (deep: string) => `{[1]:'x #', k: ${deep}}\n`,
  (deep: string) => `{&x "a":'x #', k: ${deep}}\n`,
  (deep: string) => `x: [a\n 'b, ${deep}, c']\n`,
  (deep: string) => `k: &a ${deep}\n`,
  (deep: string) => `k: ["s\\"#", !t${deep}]\n`,
  (deep: string) => `k: "a\\\\" # c\nl: ${deep}\n`,
);

test("the scan never measures hand-written block scalars, adjacent values, properties or escapes shallower than the parser", () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(form, fc.integer({ min: 0, max: 6 })), { minLength: 1, maxLength: 3 }), (parts) => {
      const text = parts.map(([f, d]) => f(`${"[".repeat(d)}${d > 0 ? "1" : ""}${"]".repeat(d)}`)).join("---\n");
      const real = parsedDepth(text);
      fc.pre(real !== undefined && real > 0);
      assert.equal(refusedAt(text, real - 1), true, `depth ${real} measured as less:\n${text}`);
      assert.equal(refusedAt(text, MAX_CONFIG_DEPTH), false, text);
    }),
    { numRuns: 1000, seed: 20261206 },
  );
});

test("the scan refuses at the line and column where the bound is passed", () => {
  const text = `equipment: []\nx: ${"[".repeat(10)}${"]".repeat(10)}\n`;
  assert.throws(
    () => scanConfigText(text, "config.yaml", { depth: 5 }),
    (e) => e instanceof ConfigError && e.code === "yaml_too_deep" && e.position?.line === 2 && e.position.column === 8,
  );
  assert.throws(
    () => scanConfigText(`a: [${"0,".repeat(20)}]\n`, "config.yaml", { nodes: 10 }),
    (e) => e instanceof ConfigError && e.code === "yaml_too_large" && e.position?.line === 1,
  );
});
