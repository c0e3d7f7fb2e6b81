/**
 * The differential fuzzer: documents drawn from test/fuzz/yaml-grammar.ts
 * (seeded, in chunks of {@link CHUNK}), each loaded by real PyYAML and by
 * this project's loader; they must both refuse it or build deeply equal
 * values. A disagreement is shrunk by fast-check to a smallest document that
 * still disagrees. The differences kept on purpose (docs/config-yaml.md) are
 * counted apart, as expected.
 */
import fc from "fast-check";
import { PyYaml, disagreement, ours, type Outcome } from "../helpers/pyyaml.js";
import { renderBytes, yamlDocument, type YDoc } from "./yaml-grammar.js";

/** Documents drawn per seed: run `i` of chunk `c` is fast-check's run `i` under seed `seed + c`. */
export const CHUNK = 1000;

export interface Disagreement {
  readonly seed: number;
  readonly run: number;
  readonly why: string;
  /** The smallest disagreeing document fast-check found, and why it disagrees. */
  readonly shrunk: { readonly bytes: Buffer; readonly why: string } | undefined;
}

export interface FuzzReport {
  readonly seed: number;
  readonly count: number;
  /** Documents where the two differ in a documented way. */
  readonly expected: number;
  readonly refusedByBoth: number;
  readonly disagreements: readonly Disagreement[];
  readonly ms: number;
}

/**
 * A difference docs/config-yaml.md lists as deliberate, or undefined.
 *
 * Each class is a section of docs/config-yaml.md; the reason is there.
 */
/** The text of a document's bytes, as near as the fuzzer needs it (UTF-16 by its byte order mark). */
function textOf(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.toString("utf16le");
  if (bytes[0] === 0xfe && bytes[1] === 0xff && bytes.length % 2 === 0) return Buffer.from(bytes).swap16().toString("utf16le");
  return bytes.toString("utf8");
}

export function documentedDifference(bytes: Buffer, py: Outcome, ts: Outcome): string | undefined {
  const text = textOf(bytes);
  if (py.ok && !ts.ok) {
    // Refusals where PyYAML reads on (docs/config-yaml.md, "Refused here, loaded by PyYAML").
    if (/Missing closing .?quote|must be sufficiently indented|Implicit keys need to be on a single line|Implicit map keys need to be followed by map values/.test(ts.error)) return "continuation line not indented";
    if (/a `\?` ends a plain value/.test(ts.error)) return "`?` in a plain value inside [] or {}";
    if (/an anchor or alias name is letters/.test(ts.error) || /(?:^|[\s\x85[{,])[&*][0-9A-Za-z_-]+[:?%@`]/.test(text)) return "anchor name run into an indicator";
    if (/Block collections are not allowed within flow collections|Missing newline after block sequence props|Implicit keys of flow sequence pairs need to be on a single line/.test(ts.error)) return "a lone `-` inside [] or {}";
    if (/Comments must be separated from other tokens by white space/.test(ts.error)) return "`#` straight after a token";
    if (/a mapping key cannot be empty|the tag \S+ cannot be a mapping/.test(ts.error) && /[!&]\S*[ ]+:(?:[ \r\n]|$)/.test(text)) return "a tag or anchor alone for an empty key";
    if (/a tab cannot start a token/.test(ts.error) && /['"][^'"]*\t/.test(text) && /[\n\x85][ ]*['"]?[^\s'"]/.test(text)) return "a tab in a quoted value on a line that is not indented";
    if (/Unexpected , in flow/.test(ts.error) && /[[{,][^\]}]*\?/.test(text)) return "`?` in a plain value inside [] or {}";
    return undefined;
  }
  if (!py.ok && ts.ok) {
    if (/while parsing a block mapping|mapping keys are not allowed here/.test(py.error) && /(?:^|[\r\n\x85\u2028\u2029])[ ]*\?(?:[ \r\n]|$)|:[ ]+(?:&\S+[ ]+)?\?[ ]*(?:[\r\n]|$)/.test(text)) return "an explicit `? key` laid out over lines PyYAML rejects";
    return undefined;
  }
  if (!py.ok || !ts.ok) return undefined;
  const forms = ["\u2028", "\u2029"].flatMap((c) => [Buffer.from(c, "utf8"), Buffer.from(c, "utf16le"), Buffer.from(c, "utf16le").swap16()]);
  if (forms.some((f) => bytes.includes(f))) return "LS/PS line break inside a scalar";
  if (/\\(?:\r\n|[\r\n\x85])[ \t]*(?:\r\n|[\r\n\x85])/.test(text)) return "an escaped line break before an empty line in a double-quoted value";
  return undefined;
}

async function compare(py: PyYaml, bytes: Buffer): Promise<{ why: string | undefined; expected: boolean; refused: boolean }> {
  const [a, b] = await Promise.all([py.load(bytes), ours(bytes)]);
  const why = disagreement(a, b);
  if (why === undefined) return { why, expected: false, refused: !a.ok };
  return documentedDifference(bytes, a, b) !== undefined ? { why: undefined, expected: true, refused: false } : { why, expected: false, refused: false };
}

/** Shrink run `run` of `seed` to a smallest document that still disagrees. */
async function shrinkRun(py: PyYaml, seed: number, run: number): Promise<{ bytes: Buffer; why: string } | undefined> {
  let last: { bytes: Buffer; why: string } | undefined;
  const result = await fc.check(
    fc.asyncProperty(yamlDocument, async (d: YDoc) => {
      const bytes = renderBytes(d);
      const { why } = await compare(py, bytes);
      if (why !== undefined) last = { bytes, why };
      return why === undefined;
    }),
    { seed, path: String(run), numRuns: CHUNK, endOnFailure: false },
  );
  if (!result.failed || result.counterexample === null) return undefined;
  const [smallest] = result.counterexample;
  const bytes = renderBytes(smallest);
  const { why } = await compare(py, bytes);
  return why === undefined ? last : { bytes, why };
}

function kindOf(d: Disagreement): string {
  return d.why.replace(/[{[].*/, "").slice(0, 60);
}

/**
 * Run `count` documents from `seed`.
 *
 * @param options.shrink - how many disagreements to shrink (each costs many loads).
 */
export async function fuzzYaml(options: { seed: number; count: number; shrink?: number; onChunk?: (done: number, disagreements: number) => void }): Promise<FuzzReport> {
  const started = Date.now();
  const py = new PyYaml();
  const disagreements: Disagreement[] = [];
  let expected = 0;
  let refusedByBoth = 0;
  let done = 0;
  try {
    for (let c = 0; done < options.count; c++) {
      const seed = (options.seed + c) >>> 0;
      const n = Math.min(CHUNK, options.count - done);
      const docs = fc.sample(yamlDocument, { seed, numRuns: CHUNK }).slice(0, n);
      const results = await Promise.all(docs.map((d) => compare(py, renderBytes(d))));
      for (const [run, r] of results.entries()) {
        if (r.expected) expected++;
        if (r.refused) refusedByBoth++;
        if (r.why !== undefined) disagreements.push({ seed, run, why: r.why, shrunk: undefined });
      }
      done += n;
      options.onChunk?.(done, disagreements.length);
    }
    // Shrink one of each kind first (the kind: the reason's first words).
    const kinds = new Set<string>();
    const order = [...disagreements.keys()].sort((a, b) => {
      const fresh = (i: number): number => (kinds.has(kindOf(disagreements[i] as Disagreement)) ? 1 : (kinds.add(kindOf(disagreements[i] as Disagreement)), 0));
      return fresh(a) - fresh(b) || a - b;
    });
    const picked = [...new Map(disagreements.map((d, i) => [kindOf(d), i])).values()].concat(order).filter((i, k, all) => all.indexOf(i) === k);
    for (const i of picked.slice(0, options.shrink ?? 3)) {
      const d = disagreements[i] as Disagreement;
      disagreements[i] = { ...d, shrunk: await shrinkRun(py, d.seed, d.run) };
    }
  } finally {
    await py.close();
  }
  return { seed: options.seed, count: done, expected, refusedByBoth, disagreements, ms: Date.now() - started };
}
