import assert from "node:assert/strict";
import { access, mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { cli, stdoutJson } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";
import { equipmentRecord, put } from "../helpers/tree.js";

/** A config shaped like a real one: comments, anchors, sections this tool ignores. */
function realisticConfig(localRoot: string, overrides: { label?: string } = {}): string {
  return `# lab workstation config
paths:
  templates_dir: "/opt/exlab-wizard/templates"
  local_root: "${localRoot}"   # fallback root

lims:
  endpoint: "https://lims.example.org/api"
  cache_ttl_hours: 24

transport_defaults: &sftp
  type: rclone_sftp
  port: 22

equipment:
  - id: "CONFOCAL_01"
    label: "${overrides.label ?? "Confocal Microscope 1"}"
    local_root: "${localRoot}"
    nas_root: "//nas01/lab"
    sync_mode: nas
    transport: *sftp
  # this one relies on paths.local_root
  - id: FLOW_01
    label: Flow Cytometer 1
    nas_root: /mnt/nas/lab
    completeness_signal: { kind: sentinel, name: DONE }

logging: { level: INFO }
validator:
  content_scan_extensions: [".txt", ".csv"]
orchestrator:
  label: "Station 1"
  staging_root: "/staging"
future_section_nobody_knows: [1, 2, {three: 3}]
`;
}

interface SyncJson {
  config: string;
  root: string | null;
  dry_run: boolean;
  results: {
    index: number;
    id: string | null;
    line: number | null;
    status: string;
    path: string | null;
    changed: string[];
    record: Record<string, string> | null;
    errors: { code: string; message: string; field?: string; details?: Record<string, unknown> }[];
  }[];
  warnings: { code: string; path: string; message: string; preserved_at?: string }[];
}

const exists = (p: string): Promise<boolean> =>
  access(p).then(
    () => true,
    () => false,
  );

test("sync writes equipment.json for every entry of a realistic config, using each entry's local_root or paths.local_root", async (t) => {
  const dir = await tempDir(t);
  const lab = join(dir, "lab");
  await mkdir(lab);
  const config = await put(join(dir, "config.yaml"), realisticConfig(lab));
  const run = await cli(t, ["sync", "--config", config]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stderr, "");
  const confocal = join(lab, "CONFOCAL_01", ".exlab-wizard", "equipment.json");
  const flow = join(lab, "FLOW_01", ".exlab-wizard", "equipment.json");
  assert.equal(run.stdout, `created  CONFOCAL_01  ${confocal}\ncreated  FLOW_01      ${flow}\n2 equipment entries: 2 created\n`);
  const rec = JSON.parse(await readFile(flow, "utf8")) as Record<string, string>;
  assert.deepEqual(Object.keys(rec), ["schema_version", "id", "label", "configured_local_root", "configured_nas_root", "first_seen_at", "last_modified_at"]);
  assert.equal(rec["label"], "Flow Cytometer 1");
  assert.equal(rec["configured_local_root"], lab);
  assert.equal(rec["configured_nas_root"], "/mnt/nas/lab");
  assert.equal(rec["first_seen_at"], rec["last_modified_at"]);
});

test("a second sync reports unchanged and leaves every file byte for byte (first_seen_at kept)", async (t) => {
  const dir = await tempDir(t);
  const lab = join(dir, "lab");
  await mkdir(lab);
  const config = await put(join(dir, "config.yaml"), realisticConfig(lab));
  assert.equal((await cli(t, ["sync", "--config", config])).code, 0);
  const path = join(lab, "CONFOCAL_01", ".exlab-wizard", "equipment.json");
  const before = await readFile(path, "utf8");
  const second = await cli(t, ["sync", "--config", config, "--json"]);
  assert.equal(second.code, 0);
  const out = stdoutJson(second) as SyncJson;
  assert.deepEqual(
    out.results.map((r) => [r.id, r.status, r.changed]),
    [
      ["CONFOCAL_01", "unchanged", []],
      ["FLOW_01", "unchanged", []],
    ],
  );
  assert.equal(await readFile(path, "utf8"), before);
  assert.equal(out.results[0]?.record?.["first_seen_at"], (JSON.parse(before) as Record<string, string>)["first_seen_at"]);
});

test("an edited label is reported as updated with the field named; first_seen_at is kept", async (t) => {
  const dir = await tempDir(t);
  const lab = join(dir, "lab");
  const config = await put(join(dir, "config.yaml"), realisticConfig(lab));
  const path = join(lab, "CONFOCAL_01", ".exlab-wizard", "equipment.json");
  // A record first seen long ago, so that a kept first_seen_at is visible.
  await put(path, equipmentRecord({ configured_local_root: lab, first_seen_at: "2020-01-01T00:00:00Z", last_modified_at: "2020-01-01T00:00:00Z" }));
  await writeFile(config, realisticConfig(lab, { label: "Confocal Microscope 1 (upgraded)" }));
  const run = await cli(t, ["sync", "--config", config]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, new RegExp(`^updated {2}CONFOCAL_01 {2}label {2}${path}$`, "m"));
  assert.match(run.stdout, /^2 equipment entries: 1 updated, 1 created\n$/m);
  const rec = JSON.parse(await readFile(path, "utf8")) as Record<string, string>;
  assert.equal(rec["label"], "Confocal Microscope 1 (upgraded)");
  assert.equal(rec["first_seen_at"], "2020-01-01T00:00:00Z");
  assert.ok((rec["last_modified_at"] ?? "") > "2020-01-01T00:00:00Z");
});

test("--root only relocates the files: configured_local_root still mirrors the entry's local_root, else paths.local_root", async (t) => {
  const dir = await tempDir(t);
  await put(join(dir, "config.yaml"), realisticConfig("/data/lab").replace('    local_root: "/data/lab"\n', '    local_root: "/srv/own-root"\n'));
  const missing = await cli(t, ["sync", "--config", "config.yaml", "--root", "./copy"], { cwd: dir });
  assert.equal(missing.code, 1);
  assert.deepEqual(await readdir(dir), ["config.yaml"]);
  const run = await cli(t, ["sync", "--config", "config.yaml", "--root", "./copy", "--create-root", "--json"], { cwd: dir });
  assert.equal(run.code, 0, run.stderr);
  const out = stdoutJson(run) as SyncJson;
  assert.equal(out.config, join(dir, "config.yaml"));
  assert.equal(out.root, join(dir, "copy"));
  assert.equal(out.dry_run, false);
  assert.deepEqual(out.warnings, []);
  const first = out.results[0];
  assert.ok(first !== undefined);
  assert.deepEqual(Object.keys(first), ["index", "id", "line", "status", "path", "changed", "record", "errors"]);
  assert.equal(first.line, 15);
  assert.equal(first.status, "created");
  assert.equal(first.path, join(dir, "copy", "CONFOCAL_01", ".exlab-wizard", "equipment.json"));
  assert.equal(first.record?.["configured_local_root"], "/srv/own-root");
  assert.equal(out.results[1]?.record?.["configured_local_root"], "/data/lab");
  assert.deepEqual(JSON.parse(await readFile(first.path, "utf8")), first.record);
  assert.deepEqual((await readdir(dir)).sort(), ["config.yaml", "copy"]);
});

test("--dry-run reports what would change and writes nothing", async (t) => {
  const dir = await tempDir(t);
  const lab = join(dir, "lab");
  await mkdir(lab);
  const config = await put(join(dir, "config.yaml"), realisticConfig(lab));
  const fresh = await cli(t, ["sync", "--config", config, "--dry-run"]);
  assert.equal(fresh.code, 0, fresh.stderr);
  assert.match(fresh.stdout, /^would create {2}CONFOCAL_01 /m);
  assert.match(fresh.stdout, /\(dry run: nothing written\)\n$/);
  assert.deepEqual(await readdir(lab), []);

  assert.equal((await cli(t, ["sync", "--config", config])).code, 0);
  const path = join(lab, "CONFOCAL_01", ".exlab-wizard", "equipment.json");
  const before = await readFile(path, "utf8");
  await writeFile(config, realisticConfig(lab, { label: "Renamed" }));
  const dry = await cli(t, ["sync", "--config", config, "--dry-run", "--json"]);
  assert.equal(dry.code, 0);
  const out = stdoutJson(dry) as SyncJson;
  assert.equal(out.dry_run, true);
  assert.deepEqual(
    out.results.map((r) => [r.status, r.changed, r.record === null]),
    [
      ["updated", ["label"], true],
      ["unchanged", [], false],
    ],
  );
  assert.equal(await readFile(path, "utf8"), before);
  assert.deepEqual(await readdir(join(lab, "CONFOCAL_01", ".exlab-wizard")), ["equipment.json", "equipment.json.lock"]);
});

test("--dry-run --create-root over a missing root creates nothing: it says what would be created, and the root is still missing after", async (t) => {
  const dir = await tempDir(t);
  const lab = join(dir, "not", "yet", "lab");
  const config = await put(join(dir, "config.yaml"), realisticConfig(lab));
  const confocal = join(lab, "CONFOCAL_01", ".exlab-wizard", "equipment.json");
  const flow = join(lab, "FLOW_01", ".exlab-wizard", "equipment.json");
  const run = await cli(t, ["sync", "--config", config, "--dry-run", "--create-root"]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stderr, "");
  assert.equal(run.stdout, `would create  CONFOCAL_01  ${confocal}\nwould create  FLOW_01      ${flow}\n2 equipment entries: 2 would create (dry run: nothing written)\n`);
  // Nothing at any level: not the root, not the folders above it.
  assert.deepEqual(await readdir(dir), ["config.yaml"]);
  // Without --create-root the same dry run says the entries would fail, as the real sync does.
  const refused = await cli(t, ["sync", "--config", config, "--dry-run", "--json"]);
  assert.equal(refused.code, 1, refused.stderr);
  const out = stdoutJson(refused) as SyncJson;
  assert.equal(out.dry_run, true);
  assert.deepEqual(
    out.results.map((r) => [r.status, r.errors.map((e) => e.code)]),
    [
      ["failed", ["not_found"]],
      ["failed", ["not_found"]],
    ],
  );
  assert.deepEqual(await readdir(dir), ["config.yaml"]);
});

test("a dry run over a newer-minor file whose kept members push the update past the read bound says it would fail, as the sync then does; the file is untouched", async (t) => {
  const dir = await tempDir(t);
  const lab = join(dir, "lab");
  const path = join(lab, "CONFOCAL_01", ".exlab-wizard", "equipment.json");
  // A file a newer minor wrote: a member this version does not know, which
  // every rewrite keeps. The file fits the 1 MiB read bound with 64 bytes to
  // spare; the longer label does not fit beside the kept member.
  const record = equipmentRecord({ schema_version: "1.9", configured_local_root: lab });
  const bare = JSON.stringify({ ...record, lab_notes: "" });
  const text = JSON.stringify({ ...record, lab_notes: "n".repeat(1024 * 1024 - 64 - Buffer.byteLength(bare)) });
  assert.equal(Buffer.byteLength(text), 1024 * 1024 - 64);
  await put(path, text);
  const config = await put(join(dir, "config.yaml"), realisticConfig(lab, { label: `Confocal Microscope 1 ${"X".repeat(100)}` }));

  const dry = await cli(t, ["sync", "--config", config, "--dry-run"]);
  assert.equal(dry.code, 1, dry.stderr);
  assert.match(dry.stdout, new RegExp(`^would fail +CONFOCAL_01 {2}Invalid ${path}: Expected \`lab_notes\` to be short enough .* \\[validation_failed\\]$`, "m"));
  assert.doesNotMatch(dry.stdout, /would update/);
  const dryJson = stdoutJson(await cli(t, ["sync", "--config", config, "--dry-run", "--json"])) as SyncJson;
  const real = await cli(t, ["sync", "--config", config, "--json"]);
  assert.equal(real.code, 1, real.stderr);
  const realJson = stdoutJson(real) as SyncJson;
  // The dry run and the real sync report the same failure, field and all.
  for (const out of [dryJson, realJson]) {
    const [confocal, flow] = out.results;
    assert.equal(confocal?.status, "failed");
    assert.deepEqual(
      confocal.errors.map((e) => [e.code, e.field]),
      [["validation_failed", "lab_notes"]],
    );
    assert.equal(flow?.status, "created");
  }
  assert.equal(dryJson.results[0]?.errors[0]?.message, realJson.results[0]?.errors[0]?.message);
  assert.equal(await readFile(path, "utf8"), text);
  assert.deepEqual((await readdir(dirname(path))).sort(), ["equipment.json", "equipment.json.lock"]);
});

test("a YAML syntax error is fatal (exit 2), named with file, line and column; nothing is written", async (t) => {
  const dir = await tempDir(t);
  const lab = join(dir, "lab");
  const text = realisticConfig(lab).replace('    nas_root: "//nas01/lab"', '    nas_root: "//nas01/lab\n    broken: [');
  const config = await put(join(dir, "config.yaml"), text);
  const run = await cli(t, ["sync", "--config", config]);
  assert.equal(run.code, 2);
  assert.equal(run.stdout, "");
  assert.match(run.stderr, new RegExp(`^error: ${config}:\\d+:\\d+: YAML syntax error: .+ \\[yaml_syntax_error\\]\\n$`));
  const json = await cli(t, ["sync", "--config", config, "--json"]);
  assert.equal(json.code, 2);
  const env = stdoutJson(json) as { error: { code: string; details: { line: number; path: string } } };
  assert.equal(env.error.code, "yaml_syntax_error");
  assert.equal(env.error.details.path, config);
  assert.ok(env.error.details.line >= 18 && env.error.details.line <= 20, `line ${env.error.details.line}`);
  assert.equal(await exists(lab), false);
});

test("a config without an equipment list is fatal (exit 2, config_invalid)", async (t) => {
  const dir = await tempDir(t);
  const config = await put(join(dir, "config.yaml"), "paths:\n  local_root: /data/lab\nlogging:\n  level: INFO\n");
  const run = await cli(t, ["sync", "--config", config]);
  assert.equal(run.code, 2);
  assert.equal(run.stderr, `error: ${config}: equipment: Expected an \`equipment\` list, found none [config_invalid]\n`);
  const notList = await put(join(dir, "other.yaml"), "equipment:\n  id: X\n");
  const run2 = await cli(t, ["sync", "--config", notList, "--json"]);
  assert.equal(run2.code, 2);
  assert.equal((stdoutJson(run2) as { error: { code: string; field: string } }).error.field, "equipment");
});

test("invalid entries are reported with their lines and skipped; valid ones are still synced (exit 1)", async (t) => {
  const dir = await tempDir(t);
  const lab = join(dir, "lab");
  const text = [
    "equipment:", //                                     1
    '  - id: "confocal 01"', //                          2 bad id
    "    label: Bad Id", //                              3
    `    local_root: ${lab}`, //                         4
    "    nas_root: //nas/lab", //                        5
    "  - id: GOOD_01", //                                6 valid
    "    label: Good", //                                7
    `    local_root: ${lab}`, //                         8
    "    nas_root: //nas/lab", //                        9
    "  - id: NO_ROOTS", //                              10 no local_root, no nas_root, no paths.local_root
    "    label: No roots", //                           11
    "  - id: TWIN_01", //                               12 duplicate
    "    label: Twin A", //                             13
    `    local_root: ${lab}`, //                        14
    "    nas_root: //nas/lab", //                       15
    "  - id: TWIN_01", //                               16 duplicate
    "    label: Twin B", //                             17
    `    local_root: ${lab}`, //                        18
    "    nas_root: //nas/lab", //                       19
    "  - just a string", //                             20
    "",
  ].join("\n");
  const config = await put(join(dir, "config.yaml"), text);
  await mkdir(lab);
  const run = await cli(t, ["sync", "--config", config]);
  assert.equal(run.code, 1);
  assert.deepEqual(run.stderr.trimEnd().split("\n"), [
    `error: ${config}:2:9: equipment.0.id: Expected \`id\` to be a string matching ^[A-Z][A-Z0-9_]*$ (max 32), got \`confocal 01\` [validation_failed]`,
    `error: ${config}:10:5: equipment.2.local_root: Expected \`local_root\` to be a non-empty string of well-formed Unicode (or \`paths.local_root\` set), got missing [validation_failed]`,
    `error: ${config}:10:5: equipment.2.nas_root: Expected \`nas_root\` to be a non-empty string of well-formed Unicode, got missing [validation_failed]`,
    `error: ${config}:12:5: equipment.3.id: \`TWIN_01\` is also the id of equipment.4 (line 16); ids must be unique, so none of them is synced [duplicate_id]`,
    `error: ${config}:16:5: equipment.4.id: \`TWIN_01\` is also the id of equipment.3 (line 12); ids must be unique, so none of them is synced [duplicate_id]`,
    `error: ${config}:20:5: equipment.5: Expected an equipment entry (a mapping), got \`just a string\` [validation_failed]`,
  ]);
  assert.deepEqual(await readdir(lab), ["GOOD_01"]);
  const json = stdoutJson(await cli(t, ["sync", "--config", config, "--json"])) as SyncJson;
  assert.deepEqual(
    json.results.map((r) => [r.index, r.id, r.line, r.status, r.errors.map((e) => `${e.code} ${e.field} ${String(e.details?.["line"])}`)]),
    [
      [0, "confocal 01", 2, "invalid", ["validation_failed equipment.0.id 2"]],
      [1, "GOOD_01", 6, "unchanged", []],
      [2, "NO_ROOTS", 10, "invalid", ["validation_failed equipment.2.local_root 10", "validation_failed equipment.2.nas_root 10"]],
      [3, "TWIN_01", 12, "invalid", ["duplicate_id equipment.3.id 12"]],
      [4, "TWIN_01", 16, "invalid", ["duplicate_id equipment.4.id 16"]],
      [5, null, 20, "invalid", ["validation_failed equipment.5 20"]],
    ],
  );
});

test("an equipment.json of another schema major is left untouched and reported as failed (exit 1)", async (t) => {
  const dir = await tempDir(t);
  const lab = join(dir, "lab");
  const config = await put(join(dir, "config.yaml"), realisticConfig(lab));
  const path = await put(join(lab, "CONFOCAL_01", ".exlab-wizard", "equipment.json"), equipmentRecord({ schema_version: "2.0" }));
  const before = await readFile(path, "utf8");
  const run = await cli(t, ["sync", "--config", config, "--json"]);
  assert.equal(run.code, 1);
  const out = stdoutJson(run) as SyncJson;
  assert.equal(out.results[0]?.status, "failed");
  assert.equal(out.results[0]?.errors[0]?.code, "schema_major_mismatch");
  assert.equal(out.results[0]?.errors[0]?.field, "schema_version");
  assert.equal(out.results[1]?.status, "created");
  assert.equal(await readFile(path, "utf8"), before);
});

test("a corrupt equipment.json is kept aside and rewritten; the warning goes to stderr, or into --json", async (t) => {
  const dir = await tempDir(t);
  const lab = join(dir, "lab");
  const config = await put(join(dir, "config.yaml"), realisticConfig(lab));
  const path = join(lab, "CONFOCAL_01", ".exlab-wizard", "equipment.json");
  const corrupt = '{"schema_version":"1.0","id":"CONFOCAL_01","first_seen_at":"2024-02-03T04:05:06Z",';
  await put(path, corrupt);
  const run = await cli(t, ["sync", "--config", config]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^repaired {2}CONFOCAL_01 /m);
  assert.match(run.stderr, /^warning: .*equipment\.json was unreadable .* \[corrupt_file_preserved\]\n$/);
  const rec = JSON.parse(await readFile(path, "utf8")) as Record<string, string>;
  assert.equal(rec["first_seen_at"], "2024-02-03T04:05:06Z");

  await put(path, corrupt);
  const json = await cli(t, ["sync", "--config", config, "--json"]);
  assert.equal(json.stderr, "");
  const out = stdoutJson(json) as SyncJson;
  assert.equal(out.results[0]?.status, "repaired");
  assert.equal(out.warnings.length, 1);
  assert.equal(out.warnings[0]?.code, "corrupt_file_preserved");
  assert.equal(out.warnings[0]?.path, path);
  assert.equal(await readFile(out.warnings[0]?.preserved_at ?? "", "utf8"), corrupt);
});

test("a missing config file or a missing --config is a fatal error (exit 2)", async (t) => {
  const dir = await tempDir(t);
  const missing = await cli(t, ["sync", "--config", join(dir, "nope.yaml")]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^error: .*nope\.yaml: no such file or directory \[not_found\]\n$/);
  const usage = await cli(t, ["sync"]);
  assert.equal(usage.code, 2);
  assert.equal(usage.stderr, "error: Missing --config <config.yaml> [usage_error]\nRun `exlab-cache sync --help` for usage.\n");
});

test("sync checks config entries with the writer's own rules: a lone surrogate in a label is refused up front", async (t) => {
  const dir = await tempDir(t);
  const lab = join(dir, "lab");
  await mkdir(lab);
  const text = ["equipment:", "  - id: SURROGATE_01", '    label: "Half \\ud800 pair"', `    local_root: ${lab}`, "    nas_root: //nas/lab", ""].join("\n");
  const config = await put(join(dir, "config.yaml"), text);
  const run = await cli(t, ["sync", "--config", config]);
  assert.equal(run.code, 1);
  assert.deepEqual(run.stderr.trimEnd().split("\n"), [
    `error: ${config}:3:12: equipment.0.label: Expected \`label\` to be a non-empty string of well-formed Unicode, got \`Half \\ud800 pair\` [validation_failed]`,
  ]);
  assert.deepEqual(await readdir(lab), []);
});
