/**
 * The raw-preserving JSON reader under the document codec, against
 * `JSON.parse`: the same values for every JSON object text, the same
 * verdict on damaged texts (except the refusals it makes on purpose: a
 * number beyond double range, nesting deeper than 200), and number text
 * carried through an encode unchanged.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { MalformedFileError } from "exlab-cache";

import type * as JsonModule from "../dist/schema/_json.js";
const { encodeNode, parseJsonObjectNode, plainOf } = (await import(new URL("../../dist/schema/_json.js", import.meta.url).href)) as typeof JsonModule;

const objectText = fc.oneof(
  fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 4 })).map((o) => JSON.stringify(o)),
  fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })).map((o) => JSON.stringify(o, null, 2)),
);

function ours(text: string): { ok: true; value: string } | { ok: false } {
  try {
    return { ok: true, value: JSON.stringify(plainOf(parseJsonObjectNode(Buffer.from(text)))) };
  } catch (err) {
    assert.ok(err instanceof MalformedFileError, String(err));
    return { ok: false };
  }
}

function theirs(text: string): { ok: true; value: string } | { ok: false } {
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== "object" || v === null || Array.isArray(v)) return { ok: false };
    return { ok: true, value: JSON.stringify(v) };
  } catch {
    return { ok: false };
  }
}

test("every JSON object text reads as JSON.parse reads it, and encodes back to its compact form", () => {
  fc.assert(
    fc.property(objectText, (text) => {
      assert.deepEqual(ours(text), theirs(text));
      assert.equal(encodeNode(parseJsonObjectNode(Buffer.from(text))), JSON.stringify(JSON.parse(text)));
    }),
    { numRuns: 1000 },
  );
});

function hasInfinity(text: string): boolean {
  let found = false;
  JSON.parse(text, (_k, v: unknown) => {
    if (typeof v === "number" && !Number.isFinite(v)) found = true;
    return v;
  });
  return found;
}

test("damaged texts are refused exactly when JSON.parse refuses them", () => {
  const damaged = fc.tuple(objectText, fc.nat(), fc.constantFrom("drop", "insert", "cut"), fc.constantFrom(..."{}[],:\"\\ 0-.eE1tfn")).map(([t, at, how, c]) => {
    const i = at % Math.max(1, t.length);
    return how === "drop" ? t.slice(0, i) + t.slice(i + 1) : how === "insert" ? t.slice(0, i) + c + t.slice(i) : t.slice(0, i);
  });
  fc.assert(
    fc.property(damaged, (text) => {
      const a = ours(text);
      const b = theirs(text);
      // JSON.parse gives Infinity for 1e999-like numbers; this reader refuses them on purpose.
      if (b.ok && hasInfinity(text)) return assert.equal(a.ok, false);
      assert.deepEqual(a, b, JSON.stringify(text));
    }),
    { numRuns: 3000 },
  );
});

test("number text survives an encode; duplicate keys keep the first position and the last value", () => {
  const text = '{"a":1.50,"b":1E5,"c":12345678901234567890,"d":-0.0,"e":[1.0,{"f":2.50e-3}],"a":2.0}';
  assert.equal(encodeNode(parseJsonObjectNode(Buffer.from(text))), '{"a":2.0,"b":1E5,"c":12345678901234567890,"d":-0.0,"e":[1.0,{"f":2.50e-3}]}');
  const proto = plainOf(parseJsonObjectNode(Buffer.from('{"__proto__":{"polluted":1}}'))) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(proto), Object.prototype);
  assert.deepEqual(Object.keys(proto), ["__proto__"]);
  assert.throws(() => parseJsonObjectNode(Buffer.from(`{"a":${"[".repeat(201)}${"]".repeat(201)}}`)), MalformedFileError);
  assert.doesNotThrow(() => parseJsonObjectNode(Buffer.from(`{"a":${"[".repeat(199)}${"]".repeat(199)}}`)));
});
