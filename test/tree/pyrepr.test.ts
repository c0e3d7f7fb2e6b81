/**
 * pyRepr against CPython's own repr(), on generated strings: quotes, escapes,
 * controls, separators, non-ASCII and astral characters. Characters whose
 * Unicode category differs between this runtime's tables and the local
 * Python's (assigned in a newer Unicode version) are left out and counted.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import fc from "fast-check";
import { pyStrip, pySuffix } from "../../src/tree/_rules.js";
import { pyRepr } from "../../src/tree/pyrepr.js";
import { PYTHON, needs } from "../helpers/capabilities.js";

const PY = PYTHON;
const POOL = ["'", '"', "\\", "\t", "\n", "\r", "\x00", "\x1b", "\x7f", "\x85", "\xa0", "\xad", "é", "\u2028", "\u200b", "\u3000", "\ufeff", "\ue000", "\u{1f600}", "\u{10ffff}", "a", " ", "<", ":"];

function pythonRepr(strings: string[]): string[] {
  const script = "import sys,json\nfor s in json.load(sys.stdin): print(json.dumps(repr(s)))";
  const r = spawnSync(PY, ["-c", script], { input: JSON.stringify(strings), encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split("\n").map((l) => JSON.parse(l) as string);
}

function pythonCategories(chars: string[]): string[] {
  const r = spawnSync(PY, ["-c", "import sys,json,unicodedata\nprint(json.dumps([unicodedata.category(c) for c in json.load(sys.stdin)]))"], { input: JSON.stringify(chars), encoding: "utf8" });
  return JSON.parse(r.stdout) as string[];
}

test("pyRepr equals CPython's repr() on 3000 generated strings", needs(["python3"]), (t) => {
  const char = fc.oneof(fc.constantFrom(...POOL), fc.integer({ min: 0, max: 0x10ffff }).filter((c) => c < 0xd800 || c > 0xdfff).map((c) => String.fromCodePoint(c)));
  const strings = fc.sample(fc.array(char, { maxLength: 12 }).map((a) => a.join("")), { numRuns: 3000, seed: 20 });
  // Characters Python's tables call unassigned but ours do not: a newer Unicode version.
  const chars = [...new Set(strings.flatMap((s) => [...s]))];
  const cats = pythonCategories(chars);
  const newer = new Set(chars.filter((c, i) => cats[i] === "Cn" && !/\p{Cn}/u.test(c)));
  const kept = strings.filter((s) => ![...s].some((c) => newer.has(c)));
  t.diagnostic(`${kept.length} strings compared, ${strings.length - kept.length} left out for ${newer.size} characters newer than the local Python's Unicode tables`);
  assert.ok(kept.length > 2000);
  const expected = pythonRepr(kept);
  kept.forEach((s, i) => assert.equal(pyRepr(s), expected[i], JSON.stringify(s)));
});

test("pyRepr's quote choice and escapes on the cases the findings meet", () => {
  const cases = ["a:b.txt", "it's", `both ' and "`, "tab\tname", "\x01", "back\\slash", "", "NUL."];
  assert.deepEqual(cases.map(pyRepr), pythonRepr(cases));
});

test("pyStrip and pySuffix equal Python's str.strip() and PurePath.suffix on generated names", needs(["python3"]), () => {
  const ws = ["\t", "\n", "\x0b", "\x0c", "\r", "\x1c", "\x1f", " ", "\x85", "\xa0", "\u1680", "\u2000", "\u200a", "\u200b", "\u2028", "\u202f", "\u3000", "\ufeff", "a", ".", "x.txt", ".."];
  const names = fc.sample(fc.array(fc.constantFrom(...ws), { minLength: 1, maxLength: 8 }).map((a) => a.join("")), { numRuns: 1500, seed: 7 }).filter((s) => !s.includes("/"));
  const script = "import sys,json\nfrom pathlib import PurePosixPath as P\nfor s in json.load(sys.stdin): print(json.dumps([s.strip(), P('d/' + s).suffix if s not in ('.', '..') else '']))";
  const r = spawnSync(PY, ["-c", script], { input: JSON.stringify(names), encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const expected = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as [string, string]);
  names.forEach((s, i) => assert.deepEqual([pyStrip(s), pySuffix(s)], expected[i], JSON.stringify(s)));
});
