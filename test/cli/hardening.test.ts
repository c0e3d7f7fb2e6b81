import assert from "node:assert/strict";
import { mkdir, readFile, readdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { spawnSync } from "node:child_process";
import { BIN, RUN_SCRIPT, cli, stdoutJson } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";
import { cachePaths, equipmentRecord, put, validTree } from "../helpers/tree.js";
import { PYTHON, needs } from "../helpers/capabilities.js";

interface SyncJson {
  results: { id: string | null; status: string; path: string | null; record: Record<string, string> | null; errors: { code: string; message: string }[] }[];
  warnings: { code: string; message: string }[];
}

const ESC = "\x1b";

test("labels from files are escaped in ls, show and sync; --json keeps them exact", async (t) => {
  const root = await tempDir(t);
  const evil = `Red${ESC}[31m\nFAKE_01  forged row\u202e`;
  await put(cachePaths(root).equipment, equipmentRecord({ label: evil }));
  const ls = await cli(t, ["ls", root]);
  assert.equal(ls.code, 0, ls.stderr);
  assert.ok(!ls.stdout.includes(ESC) && !ls.stdout.includes("\u202e"), ls.stdout);
  assert.ok(ls.stdout.includes("Red\\x1b[31m\\nFAKE_01  forged row\\u202e"), ls.stdout);
  assert.equal(ls.stdout.split("\n").filter((l) => l.startsWith("FAKE_01")).length, 0);
  const lsJson = stdoutJson(await cli(t, ["ls", root, "--json"])) as { equipment: { label: string }[] };
  assert.equal(lsJson.equipment[0]?.label, evil);

  const show = await cli(t, ["show", cachePaths(root).equipment]);
  assert.equal(show.code, 0, show.stderr);
  assert.ok(!show.stdout.includes(ESC));
  assert.match(show.stdout, /^ {2}label +Red\\x1b\[31m\\nFAKE_01 {2}forged row\\u202e$/m);
  const showJson = stdoutJson(await cli(t, ["show", cachePaths(root).equipment, "--json"])) as { record: { label: string } };
  assert.equal(showJson.record.label, evil);

  const config = await put(join(root, "config.yaml"), `equipment:\n  - id: CONFOCAL_01\n    label: "Bad\\e[2J\\nlabel"\n    local_root: ${root}\n    nas_root: //nas/lab\n  - id: "EVIL\\e[31m"\n    label: x\n    local_root: ${root}\n    nas_root: //nas/lab\n`);
  const sync = await cli(t, ["sync", "--config", config]);
  assert.equal(sync.code, 1);
  assert.ok(!sync.stdout.includes(ESC) && !sync.stderr.includes(ESC), sync.stdout + sync.stderr);
  assert.match(sync.stdout, /^invalid {2}EVIL\\x1b\[31m {2}line 6/m);
  assert.match(sync.stderr, /got `EVIL\\u001b\[31m`/);
  const rec = JSON.parse(await readFile(cachePaths(root).equipment, "utf8")) as Record<string, string>;
  assert.equal(rec["label"], `Bad${ESC}[2J\nlabel`);
});

test("ls aligns columns by display width, so CJK labels line up", async (t) => {
  const root = await tempDir(t);
  await put(cachePaths(root, "CONFOCAL_01").equipment, equipmentRecord({ label: "共焦点顕微鏡" }));
  await put(cachePaths(root, "FLOW_01").equipment, equipmentRecord({ id: "FLOW_01", label: "Flow" }));
  const run = await cli(t, ["ls", root]);
  assert.equal(run.code, 0, run.stderr);
  const rows = run.stdout.split("\n").filter((l) => /^(CONFOCAL|FLOW)/.test(l));
  // "共焦点顕微鏡" is 6 characters drawn 12 columns wide: the next column starts 2 columns after the widest.
  assert.match(rows[0] ?? "", /^CONFOCAL_01 {2}共焦点顕微鏡 {2}2025/);
  assert.match(rows[1] ?? "", /^FLOW_01 {6}Flow {10}2025/);
});

test("YAML as PyYAML reads it: << merges applied, hundreds of aliases accepted, ignored sections may hold anything", needs(["pyyaml"]), async (t) => {
  const root = await tempDir(t);
  const many = Array.from({ length: 400 }, (_, i) => `  - x${i}: *port`).join("\n");
  const bomb = ["  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]", ...Array.from({ length: 8 }, (_, i) => `  ${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(", ")}]`)].join("\n");
  const config = await put(
    join(root, "config.yaml"),
    `defaults: &defaults\n  local_root: ${root}\n  nas_root: //nas01/lab\nport_anchor: &port 22\ntransports:\n${many}\nlaughs:\n${bomb}\nduplicate: 1\nduplicate: 2\nequipment:\n  - <<: *defaults\n    id: CONFOCAL_01\n    label: Confocal\n  - id: FLOW_01\n    <<: *defaults\n    label: N\n    nas_root: //nas02/lab\n  - <<: [*defaults]\n    id: ON_01\n    label: On\n`,
  );
  const run = await cli(t, ["sync", "--config", config, "--json"]);
  assert.equal(run.code, 1, run.stdout + run.stderr);
  const out = stdoutJson(run) as SyncJson;
  assert.deepEqual(
    out.results.map((r) => [r.id, r.status, r.record?.["label"], r.record?.["configured_local_root"], r.record?.["configured_nas_root"]]),
    [
      ["CONFOCAL_01", "created", "Confocal", root, "//nas01/lab"],
      ["FLOW_01", "created", "N", root, "//nas02/lab"],
      // `On` is a boolean to PyYAML too: not a label.
      ["ON_01", "invalid", undefined, undefined, undefined],
    ],
  );
  // The application's own reader agrees entry by entry.
  const py = spawnSync(
    PYTHON,
    ["-c", "import json,sys,yaml; d=yaml.safe_load(open(sys.argv[1])); print(json.dumps([[e.get('id'), e.get('label'), e.get('local_root'), e.get('nas_root')] for e in d['equipment']]))", config],
    { encoding: "utf8" },
  );
  assert.equal(py.status, 0, py.stderr);
  assert.deepEqual(JSON.parse(py.stdout), [
    ["CONFOCAL_01", "Confocal", root, "//nas01/lab"],
    ["FLOW_01", "N", root, "//nas02/lab"],
    ["ON_01", true, root, "//nas01/lab"],
  ]);
});

test("a billion-laughs document in the sections read fails fast with a clear message and writes nothing", async (t) => {
  const root = await tempDir(t);
  const levels = Array.from({ length: 9 }, (_, i) => {
    const name = String.fromCharCode(98 + i);
    return `l_${name}: &${name} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(", ")}]`;
  });
  const config = await put(
    join(root, "config.yaml"),
    `l_a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n${levels.join("\n")}\nequipment:\n  - id: CONFOCAL_01\n    label: *j\n    local_root: ${root}\n    nas_root: //nas/lab\n`,
  );
  const run = await cli(t, ["sync", "--config", config]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /^error: .*config\.yaml: YAML aliases here would expand to more than 100000 nodes \(a "billion laughs" document\?\); refusing to load it \[yaml_alias_limit\]\n$/);
  assert.deepEqual(await readdir(root), ["config.yaml"]);
  // An alias with no anchor is an error, as PyYAML says, not a missing section.
  await writeFile(config, "equipment: *nowhere\n");
  const unresolved = await cli(t, ["sync", "--config", config]);
  assert.equal(unresolved.code, 2);
  assert.match(unresolved.stderr, /alias \*nowhere names no anchor before it \[yaml_syntax_error\]\n$/);
});

test("a local_root that does not exist fails that entry with nothing created (exit 1); --create-root creates it", async (t) => {
  const dir = await tempDir(t);
  const typo = join(dir, "dtaa", "lab");
  const good = join(dir, "lab");
  await mkdir(good);
  const config = await put(
    join(dir, "config.yaml"),
    `paths:\n  local_root: ${typo}\nequipment:\n  - id: CONFOCAL_01\n    label: C\n    nas_root: //nas/lab\n  - id: FLOW_01\n    label: F\n    local_root: ${good}\n    nas_root: //nas/lab\n`,
  );
  const run = await cli(t, ["sync", "--config", config]);
  assert.equal(run.code, 1);
  assert.equal(run.stdout.split("\n")[0], `failed   CONFOCAL_01  ${typo}: local_root does not exist; nothing was created (pass --create-root to create it) [not_found]`);
  assert.deepEqual((await readdir(dir)).sort(), ["config.yaml", "lab"]);
  assert.deepEqual(await readdir(good), ["FLOW_01"]);

  const created = stdoutJson(await cli(t, ["sync", "--config", config, "--create-root", "--json"])) as SyncJson;
  assert.deepEqual(created.results.map((r) => [r.id, r.status]), [["CONFOCAL_01", "created"], ["FLOW_01", "unchanged"]]);
  assert.equal(created.results[0]?.record?.["configured_local_root"], typo);
  assert.deepEqual(await readdir(typo), ["CONFOCAL_01"]);
});

test("an unchanged sync still sweeps a crashed writer's temp file, without rewriting; sync then check is clean", async (t) => {
  const dir = await tempDir(t);
  const lab = join(dir, "lab");
  await mkdir(lab);
  const config = await put(join(dir, "config.yaml"), `equipment:\n  - id: CONFOCAL_01\n    label: C\n    local_root: ${lab}\n    nas_root: //nas/lab\n`);
  assert.equal((await cli(t, ["sync", "--config", config])).code, 0);
  const path = cachePaths(lab).equipment;
  const before = await readFile(path, "utf8");
  await writeFile(`${path}.a1b2c3.tmp`, '{"half');
  assert.equal((await cli(t, ["check", lab])).code, 1);
  const again = await cli(t, ["sync", "--config", config]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /^unchanged {2}CONFOCAL_01 /m);
  assert.match(again.stderr, /^warning: Removed .*equipment\.json\.a1b2c3\.tmp, left by a writer that did not finish \[stale_temp_removed\]\n$/);
  assert.equal(await readFile(path, "utf8"), before);
  const check = await cli(t, ["check", lab]);
  assert.equal(check.code, 0, check.stdout);
});

test("check reports symlinked .exlab-wizard, equipment and project folders and never follows them; ls shows no outside label", async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, "lab");
  const outside = join(dir, "outside");
  await validTree(root);
  await put(cachePaths(outside, "OUTSIDE_01").equipment, equipmentRecord({ id: "OUTSIDE_01", label: "OUTSIDE LABEL" }));
  await mkdir(join(root, "LINKED_01"));
  await symlink(join(outside, "OUTSIDE_01", ".exlab-wizard"), join(root, "LINKED_01", ".exlab-wizard"));
  await symlink(join(outside, "OUTSIDE_01"), join(root, "OUTSIDE_01"));
  await symlink(join(outside, "OUTSIDE_01"), join(root, "CONFOCAL_01", "PROJ-LINK"));
  await mkdir(join(root, "FLOW_01", "PROJ-9", "TestRuns"), { recursive: true });
  await symlink(join(outside, "OUTSIDE_01", ".exlab-wizard"), join(root, "FLOW_01", "PROJ-9", "TestRuns", ".exlab-wizard"));
  const ls = await cli(t, ["ls", root]);
  assert.ok(!ls.stdout.includes("OUTSIDE LABEL"), ls.stdout);
  const check = await cli(t, ["check", root, "--json"]);
  assert.equal(check.code, 1);
  const findings = (stdoutJson(check) as { findings: { rule: string; path: string }[] }).findings.filter((f) => f.rule === "symlinked_folder").map((f) => f.path);
  assert.deepEqual(findings, [
    join(root, "CONFOCAL_01", "PROJ-LINK"),
    join(root, "FLOW_01", "PROJ-9", "TestRuns", ".exlab-wizard"),
    join(root, "LINKED_01", ".exlab-wizard"),
    join(root, "OUTSIDE_01"),
  ]);
});

test("a folder name that is not UTF-8 is reported escaped; a folder named like a temp file is reported and does not block writes", async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, "lab");
  await validTree(root);
  const rootBytes = Buffer.from(join(root, "CONFOCAL_01"));
  await mkdir(Buffer.concat([rootBytes, Buffer.from("/PROJ-\xff\x1b", "latin1")]));
  const tempFolder = `${cachePaths(root).equipment}.abc.tmp`;
  await mkdir(tempFolder);
  const check = await cli(t, ["check", root]);
  assert.equal(check.code, 1);
  assert.ok(!check.stdout.includes(ESC));
  assert.ok(check.stdout.includes(`${join(root, "CONFOCAL_01")}/PROJ-\\xff\\x1b: undecodable_name:`), check.stdout);
  assert.ok(check.stdout.includes(`${tempFolder}: temp_named_folder:`), check.stdout);
  assert.ok(!check.stdout.includes("stale_temp_file"), check.stdout);

  const config = await put(join(dir, "config.yaml"), `equipment:\n  - id: CONFOCAL_01\n    label: Renamed\n    local_root: ${root}\n    nas_root: //nas01/lab\n`);
  const sync = await cli(t, ["sync", "--config", config]);
  assert.equal(sync.code, 0, sync.stdout + sync.stderr);
  assert.match(sync.stdout, /^updated {2}CONFOCAL_01 {2}label/m);
  assert.deepEqual((await readdir(join(root, "CONFOCAL_01", ".exlab-wizard"))).sort(), ["equipment.json", "equipment.json.abc.tmp", "equipment.json.lock"]);
});

test("show reads a file kept aside as .corrupt-<time> as its kind", async (t) => {
  const root = await tempDir(t);
  const kept = await put(`${cachePaths(root).equipment}.corrupt-2026-04-17T14-00-00Z`, equipmentRecord({ label: "Kept" }));
  const run = await cli(t, ["show", kept]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^ {2}label +Kept$/m);
  const broken = await put(`${cachePaths(root).equipment}.corrupt-2026-04-17T15-00-00Z`, '{"schema_version":"1.0",');
  const bad = await cli(t, ["show", broken, "--json"]);
  assert.equal(bad.code, 1);
  assert.equal((stdoutJson(bad) as { error: { code: string } }).error.code, "malformed_file");
});

test("help <command> prints that command's help; TERM=dumb means no colour; FORCE_COLOR colours a pipe", needs(["script"]), async (t) => {
  const help = await cli(t, ["help", "sync"]);
  assert.equal(help.code, 0);
  assert.equal(help.stdout, (await cli(t, ["sync", "--help"])).stdout);
  assert.match(help.stdout, /--create-root/);
  const unknown = await cli(t, ["help", "nope"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /^error: Expected `help <command>` with one of sync, /);

  const root = await tempDir(t);
  const forced = await cli(t, ["check", join(root, "missing")], { env: { FORCE_COLOR: "1", TERM: "xterm" } });
  assert.ok(forced.stderr.startsWith(`${ESC}[31merror:${ESC}[39m`), JSON.stringify(forced.stderr));
  const off = await cli(t, ["check", join(root, "missing")], { env: { FORCE_COLOR: "0" } });
  assert.ok(!off.stderr.includes(ESC));
  // script(1) gives the child a real terminal: colour, unless TERM=dumb.
  const viaTty = (term: string): string =>
    spawnSync("script", ["-qec", `TERM=${term} ${RUN_SCRIPT} ${BIN} check ${join(root, "missing")}`, "/dev/null"], { encoding: "utf8", env: { ...process.env, NO_COLOR: "" } }).stdout;
  assert.ok(viaTty("xterm").includes(`${ESC}[31m`));
  assert.ok(!viaTty("dumb").includes(ESC));
});

test("every command prints paths the same way: absolute, whatever was typed", async (t) => {
  const dir = await tempDir(t);
  await validTree(join(dir, "lab"));
  await writeFile(`${cachePaths(join(dir, "lab")).equipment}.x1.tmp`, "");
  const abs = join(dir, "lab");
  const check = await cli(t, ["check", "lab"], { cwd: dir });
  assert.ok(check.stdout.startsWith(`${cachePaths(abs).equipment}.x1.tmp: stale_temp_file:`), check.stdout);
  const mark = await cli(t, ["mark-runs", "--root", "lab", "--equipment", "FLOW_01", "--project", "P1"], { cwd: dir });
  assert.equal(mark.stdout.split("\n")[0], `created  ${join(abs, "FLOW_01", "P1", "Runs", ".exlab-wizard", "runs.json")}`);
  const show = await cli(t, ["show", join("lab", "CONFOCAL_01", ".exlab-wizard", "equipment.json")], { cwd: dir });
  assert.equal(show.stdout.split("\n")[0], cachePaths(abs).equipment);
  const ls = await cli(t, ["ls", "lab"], { cwd: dir });
  assert.match(ls.stdout, new RegExp(`run \`exlab-cache check ${abs.replaceAll("/", "\\/")}\`$`, "m"));
  await put(join(dir, "config.yaml"), "equipment:\n  - id: NEW_01\n    label: N\n    local_root: /data/lab\n    nas_root: //nas/lab\n");
  const sync = await cli(t, ["sync", "--config", "config.yaml", "--root", "lab"], { cwd: dir });
  assert.equal(sync.stdout.split("\n")[0], `created  NEW_01  ${cachePaths(abs, "NEW_01").equipment}`);
});
