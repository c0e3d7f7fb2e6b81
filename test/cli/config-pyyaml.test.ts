/**
 * config.yaml is read as the application reads it, with PyYAML's safe_load
 * on the file's bytes: every case of test/fixtures/pyyaml/cases.json goes
 * through real PyYAML and through ours, and both must refuse it, or both
 * load the same `equipment` and `paths`.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { readEquipmentConfig } from "../../src/config/equipment.js";
import { decodeConfigText } from "../../src/config/_text.js";
import { parseConfigDocument } from "../../src/config/_yaml.js";
import { ConfigError } from "../../src/errors.js";
import { cli } from "../helpers/cli.js";
import { PYTHON, REPO_ROOT } from "../helpers/filelock.js";
import { tempDir } from "../helpers/tmp.js";
import { needs } from "../helpers/capabilities.js";

interface Case {
  name: string;
  yaml?: string;
  base64?: string;
}
type Result = { ok: false; why: string } | { ok: true; equipment: unknown; paths: unknown };

const CASES_FILE = join(REPO_ROOT, "test", "fixtures", "pyyaml", "cases.json");

/** PyYAML's tagged JSON, as plain values ours can be compared with. */
function fromPython(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(fromPython);
  if (typeof v !== "object" || v === null) return v;
  const o = v as Record<string, unknown>;
  if (typeof o["$int"] === "string") return Number(o["$int"]);
  if (typeof o["$float"] === "string") {
    const f = o["$float"];
    return f === "nan" ? NaN : f === "inf" ? Infinity : f === "-inf" ? -Infinity : Number(f);
  }
  if (o["$timestamp"] === true) return "<timestamp>";
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, fromPython(x)]));
}

function ours(v: unknown): unknown {
  if (v instanceof Date) return "<timestamp>";
  if (v instanceof Uint8Array) return { $binary: Buffer.from(v).toString("base64") };
  if (Array.isArray(v)) return v.map(ours);
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), ours(x)]));
  if (typeof v === "object" && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, ours(x)]));
  return v;
}

test("config.yaml: refused exactly where PyYAML's safe_load refuses it, else the same values", needs(["pyyaml"]), async (t) => {
  const dir = await tempDir(t);
  const cases = JSON.parse(await readFile(CASES_FILE, "utf8")) as Case[];
  const py = spawnSync(PYTHON, [join(REPO_ROOT, "test", "python", "pyyaml_cases.py"), CASES_FILE, join(dir, "py.yaml")], { encoding: "utf8" });
  assert.equal(py.status, 0, py.stderr);
  const expected = JSON.parse(py.stdout) as Result[];
  assert.equal(expected.length, cases.length);
  const mismatches: string[] = [];
  for (const [i, c] of cases.entries()) {
    const want = expected[i];
    assert.ok(want !== undefined);
    const bytes = c.base64 !== undefined ? Buffer.from(c.base64, "base64") : Buffer.from(c.yaml ?? "", "utf8");
    const file = join(dir, `case-${i}.yaml`);
    await writeFile(file, bytes);
    let refused: ConfigError | undefined;
    try {
      await readEquipmentConfig(file);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      refused = err;
    }
    if (!want.ok) {
      if (refused === undefined) mismatches.push(`${c.name}: PyYAML refuses it (${want.why}), ours loads it`);
      else assert.doesNotMatch(refused.message, /\n/, `${c.name}: one line`);
      continue;
    }
    if (refused !== undefined) {
      mismatches.push(`${c.name}: PyYAML loads it, ours refuses it: ${refused.message}`);
      continue;
    }
    const { doc } = await parseConfigDocument(decodeConfigText(bytes, file), file);
    const top = doc.toJS({ maxAliasCount: 1000 }) as Record<string, unknown>;
    try {
      assert.deepEqual({ equipment: ours(top["equipment"]) ?? null, paths: ours(top["paths"]) ?? null }, { equipment: fromPython(want.equipment), paths: fromPython(want.paths) });
    } catch (err) {
      mismatches.push(`${c.name}: values differ: ${(err as Error).message.split("\n").slice(0, 12).join(" ")}`);
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
