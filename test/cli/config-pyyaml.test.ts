/**
 * config.yaml is read as the application reads it, with PyYAML's safe_load
 * on the file's bytes: every case of test/fixtures/pyyaml/cases.json goes
 * through real PyYAML and through ours, and both must refuse it, or both
 * build the same whole document, value for value with its Python type
 * (timestamps as instants with their offsets). Then what `sync` writes for
 * the case must be what the application's values say it should write.
 */
import assert from "node:assert/strict";
import { readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import type { Tagged } from "../../src/config/_tagged.js";
import { EQUIPMENT } from "../../src/schema/equipment.js";
import type { FieldSpec } from "../../src/schema/record.js";
import { ConfigError as PackageConfigError, syncFromConfig } from "exlab-cache";
import { cli } from "../helpers/cli.js";
import { REPO_ROOT } from "../helpers/filelock.js";
import { PyYaml, disagreement, ours } from "../helpers/pyyaml.js";
import { tempDir } from "../helpers/tmp.js";
import { needs } from "../helpers/capabilities.js";

interface Case {
  name: string;
  yaml?: string;
  base64?: string;
}

const CASES_FILE = join(REPO_ROOT, "test", "fixtures", "pyyaml", "cases.json");

async function loadCases(): Promise<{ name: string; bytes: Buffer }[]> {
  const cases = JSON.parse(await readFile(CASES_FILE, "utf8")) as Case[];
  return cases.map((c) => ({ name: c.name, bytes: c.base64 !== undefined ? Buffer.from(c.base64, "base64") : Buffer.from(c.yaml ?? "", "utf8") }));
}

test("config.yaml: refused exactly where PyYAML's safe_load refuses it, else the same whole document", needs(["pyyaml"]), async (t) => {
  const py = new PyYaml();
  t.after(() => py.close());
  const mismatches: string[] = [];
  for (const c of await loadCases()) {
    const [want, got] = await Promise.all([py.load(c.bytes), ours(c.bytes)]);
    const why = disagreement(want, got);
    if (why !== undefined) mismatches.push(`${c.name}: ${why}`);
    if (!got.ok) assert.doesNotMatch(got.error, /\n/, `${c.name}: one line`);
  }
  assert.deepEqual(mismatches, []);
});

/** The value of string key `key` in a tagged dict, as Python's `d.get(key)`. */
function get(dict: Tagged | undefined, key: string): Tagged | undefined {
  const pairs = (dict as { dict?: [Tagged, Tagged][] } | null | undefined)?.dict;
  return pairs?.find(([k]) => k === key)?.[1];
}

/** Each entry: written, refused for a shared id, or refused otherwise. */
type Outcome = "written" | "duplicate_id" | "invalid";
type Expected = { refused: true } | { refused: false; written: Record<string, Record<string, string>>; entries: Outcome[] };

/**
 * What the application's values say `sync` does: refuse the file when it has
 * no `equipment` list, else write each entry whose mirrored fields pass
 * the writer's rules and whose id no other entry has.
 */
function expectedSync(top: Tagged): Expected {
  const list = get(top, "equipment");
  if (list === undefined || list === null || !Array.isArray(list)) return { refused: true };
  const fallback = get(get(top, "paths"), "local_root");
  const entries = list.map((entry) => {
    const id = get(entry, "id");
    if (!Array.isArray((entry as { dict?: unknown } | null)?.dict)) return { id: undefined, record: undefined };
    const record: Record<string, string> = {};
    let valid = true;
    for (const f of EQUIPMENT.fields as readonly FieldSpec[]) {
      if (f.mirrors === undefined) continue;
      let v = get(entry, f.mirrors);
      if (f.mirrors === "local_root" && (v === undefined || v === null)) v = fallback;
      if (f.rule.check(typeof v === "string" ? v : { notText: v }) === undefined) record[f.key] = v as string;
      else valid = false;
    }
    return { id: typeof id === "string" ? id : undefined, record: valid ? record : undefined };
  });
  const written: Record<string, Record<string, string>> = {};
  const outcomes = entries.map((e): Outcome => {
    if (e.id !== undefined && entries.filter((o) => o.id === e.id).length > 1) return "duplicate_id";
    if (e.record === undefined) return "invalid";
    written[e.record["id"] ?? "?"] = e.record;
    return "written";
  });
  return { refused: false, written, entries: outcomes };
}

test("sync: writes exactly what PyYAML's values of each case say, and refuses where they have no equipment list", needs(["pyyaml"]), async (t) => {
  const py = new PyYaml();
  t.after(() => py.close());
  const dir = await tempDir(t);
  const mismatches: string[] = [];
  for (const [i, c] of (await loadCases()).entries()) {
    const want = await py.load(c.bytes);
    if (!want.ok) continue;
    const expected = expectedSync(want.value);
    const file = join(dir, `case-${i}.yaml`);
    const root = join(dir, `root-${i}`);
    await writeFile(file, c.bytes);
    let got: Expected;
    try {
      const report = await syncFromConfig(file, { root, createRoot: true });
      const written: Record<string, Record<string, string>> = {};
      for (const id of await readdir(root).catch(() => [])) {
        const json = JSON.parse(await readFile(join(root, id, ".exlab-wizard", "equipment.json"), "utf8")) as Record<string, unknown>;
        written[id] = Object.fromEntries((EQUIPMENT.fields as readonly FieldSpec[]).filter((f) => f.mirrors !== undefined).map((f) => [f.key, json[f.key] as string]));
      }
      const failed = report.results.filter((r) => r.status === "failed");
      assert.deepEqual(failed, [], `${c.name}: no write fails`);
      const entries = report.results.map((r): Outcome => (r.status !== "invalid" ? "written" : r.errors.some((e) => e.code === "duplicate_id") ? "duplicate_id" : "invalid"));
      got = { refused: false, written, entries };
    } catch (err) {
      if (!(err instanceof PackageConfigError)) throw err;
      got = { refused: true };
    }
    try {
      assert.deepEqual(got, expected);
    } catch {
      mismatches.push(`${c.name}: sync ${JSON.stringify(got)}, PyYAML's values say ${JSON.stringify(expected)}`);
    }
  }
  assert.deepEqual(mismatches, []);
});

test("sync: a config PyYAML refuses stops the command with one line naming file, line and column, and nothing is written", async (t) => {
  const root = await tempDir(t);
  const entry = (label: string): string => `equipment:\n  - id: CONFOCAL_01\n    label: ${label}\n    local_root: ${root}\n    nas_root: //nas/lab\n  - id: OTHER_01\n    label: fine\n    local_root: ${root}\n    nas_root: //nas/lab\n`;
  const cases: [string, Buffer, RegExp][] = [
    ["python tag", Buffer.from(entry("!!python/object:os.system x")), /:3:12: YAML tag tag:yaml\.org,2002:python\/object:os\.system is not allowed: .* \[yaml_unsupported_tag\]\n$/],
    ["tag in an ignored section", Buffer.from(`lims: !custom x\n${entry("C")}`), /:1:7: YAML tag !custom is not allowed: .* \[yaml_unsupported_tag\]\n$/],
    ["latin-1", Buffer.from(entry("Caf\u00e9"), "latin1"), /:3:15: Expected the file to be UTF-8, but it holds bytes that are not \[yaml_encoding_error\]\n$/],
    ["NUL", Buffer.from(entry("a\u0000b")), /:3:13: YAML does not allow the character U\+0000 in a file \[yaml_encoding_error\]\n$/],
    ["tab after colon", Buffer.from(entry("C").replace("label: C", "label:\tC")), /:3:11: YAML syntax error: a tab .* \[yaml_syntax_error\]\n$/],
    ["equals", Buffer.from(entry("=")), /:3:12: YAML cannot be loaded: a plain `=` .* \[yaml_syntax_error\]\n$/],
  ];
  for (const [name, bytes, message] of cases) {
    const config = join(root, "config.yaml");
    await writeFile(config, bytes);
    const run = await cli(t, ["sync", "--config", config, "--root", root]);
    assert.equal(run.code, 2, name);
    assert.match(run.stderr, /^error: [^\n]*config\.yaml/, name);
    assert.match(run.stderr, message, name);
    assert.deepEqual(await readdir(root), ["config.yaml"], name);
  }
});

test("sync: `equipment: !!omap` is PyYAML's list of pairs, so every entry is invalid (exit 1), not a refused file (exit 2)", needs(["pyyaml"]), async (t) => {
  const root = await tempDir(t);
  const config = join(root, "config.yaml");
  await writeFile(config, `equipment: !!omap\n  - CONFOCAL_01: {label: C, local_root: ${root}, nas_root: //nas/lab}\n`);
  const py = new PyYaml();
  t.after(() => py.close());
  const want = await py.load(await readFile(config));
  assert.ok(want.ok && Array.isArray(get(want.value, "equipment")), "PyYAML loads a list");
  const run = await cli(t, ["sync", "--config", config]);
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /equipment\.0: Expected an equipment entry \(a mapping\), got an array \[validation_failed\]/);
  assert.deepEqual(await readdir(root), ["config.yaml"]);
});
