/**
 * The digest's fixtures D and E (§13) and the record table of §6: content
 * caps, required README fields, broken records, and what replaces the
 * application's aborted audit.
 */
import assert from "node:assert/strict";
import { mkdir, symlink } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { auditTree } from "../../src/tree/audit.js";
import { tempDir } from "../helpers/tmp.js";
import { config, creationRecord, put, record, withL } from "./_trees.js";

const NOW = () => new Date("2026-05-01T12:00:00Z");
const MIB = 1024 * 1024;

test("fixture D: caps, sniffing, suffixes, required fields and broken records", async (t) => {
  const root = await tempDir(t);
  const P = "NANO_03/PROJ-7";
  await record(root, P, { level: "project" });
  await record(root, `${P}/Run_2026-05-05T10-00`);
  const run = `${P}/Runs/Run_2026-05-07T10-00`;
  await record(root, run, { required_readme_field_ids: ["sample_type"] });
  await put(root, `${run}/.exlab-wizard/readme_fields.json`, {
    schema_version: "1.1",
    generated_at: "2026-05-07T10:00:00Z",
    core_fields: { label: "l", operator: "o", objective: "x" },
    system_fields: {},
    config_fields: { sample_type: "" },
  });
  await put(root, `${run}/NOTES.TXT`, "<upper> <a> <a> <2 mM> {{}}");
  await put(root, `${run}/README.md`, "# Run\n\nSee <your_protocol>.\n");
  await put(root, `${run}/image.tif`, "<not_scanned>");
  await put(root, `${run}/raw.txt`, "\0<nul_led>");
  await put(root, `${run}/big.txt`, "x".repeat(MIB + 5 - "<big>".length) + "<big>");
  await put(root, `${run}/exact.txt`, "x".repeat(MIB - "<exact>".length) + "<exact>");
  const hidden = await tempDir(t);
  await put(hidden, "<hidden>.txt", "x");
  await record(hidden, ".");
  await symlink(hidden, join(root, P, "Runs", "Run_2026-05-08T10-00"));
  const noKind = creationRecord("/x");
  delete noKind["run_kind"];
  await put(root, `${P}/Runs/Run_2026-05-09T10-00/.exlab-wizard/creation.json`, noKind);
  await record(root, `${P}/Runs/Run_2026-05-10T10-00`, { schema_version: "2.0" });
  await mkdir(join(root, P, "Runs/Run_2026-05-11T10-00/.exlab-wizard/creation.json"), { recursive: true });

  const { findings } = await auditTree({ config: config(root, ["NANO_03"], { contentScanMaxMib: 1 }), now: NOW });
  const got = findings.map((f) => `${f.finding.rule} ${withL(root, f.finding.offending_path)} ${JSON.stringify(f.finding.matched_token)}`);
  assert.deepEqual(got, [
    `leftover_jinja_marker <L>/NANO_03/PROJ-7/Runs/Run_2026-05-07T10-00/NOTES.TXT "{{}}"`,
    `mode_prefix_mismatch <L>/NANO_03/PROJ-7/Run_2026-05-05T10-00 "PROJ-7"`,
    `unresolved_placeholder_token <L>/NANO_03/PROJ-7/Runs/Run_2026-05-07T10-00/NOTES.TXT "<upper>"`,
    `unresolved_placeholder_token <L>/NANO_03/PROJ-7/Runs/Run_2026-05-07T10-00/NOTES.TXT "<a>"`,
    `unresolved_placeholder_token <L>/NANO_03/PROJ-7/Runs/Run_2026-05-07T10-00/NOTES.TXT "<a>"`,
    `unresolved_placeholder_token <L>/NANO_03/PROJ-7/Runs/Run_2026-05-07T10-00/README.md "<your_protocol>"`,
    `unresolved_placeholder_token <L>/NANO_03/PROJ-7/Runs/Run_2026-05-07T10-00/exact.txt "<exact>"`,
    `missing_required_field <L>/NANO_03/PROJ-7/Runs/Run_2026-05-07T10-00/.exlab-wizard/readme_fields.json "sample_type"`,
    `orphan <L>/NANO_03/PROJ-7/Runs/Run_2026-05-09T10-00 null`,
    `orphan <L>/NANO_03/PROJ-7/Runs/Run_2026-05-11T10-00 null`,
  ]);
  const missing = findings.find((f) => f.finding.rule === "missing_required_field");
  assert.equal(
    withL(root, JSON.stringify(missing?.finding)),
    `{"rule":"missing_required_field","tier":"soft","run_path":"<L>/NANO_03/PROJ-7/Runs/Run_2026-05-07T10-00","offending_path":"<L>/NANO_03/PROJ-7/Runs/Run_2026-05-07T10-00/.exlab-wizard/readme_fields.json","offending_kind":"file_content","matched_token":"sample_type","rule_detail":"Required README field 'sample_type' is absent or empty.","synced_under_prior_policy":false,"override_active":false}`,
  );
  // Each finding names the files it came from.
  assert.deepEqual(
    missing?.sources.map((s) => withL(root, s)),
    [`<L>/${run}/.exlab-wizard/readme_fields.json`, `<L>/${run}/.exlab-wizard/creation.json`],
  );
});

test("fixture E: a record with invalid UTF-8 in a string is a finding, and the rest of the audit stands", async (t) => {
  const root = await tempDir(t);
  const P = "CONFOCAL_01/PROJ-0042";
  await record(root, P, { level: "project" });
  await record(root, `${P}/Runs/Run_<run_date>`);
  const text = JSON.stringify(creationRecord(join(root, P, "Runs/Run_2026-04-17T14-32"), { created_by: "asmQQith" }));
  const bytes = Buffer.from(text, "utf8");
  const at = bytes.indexOf("QQ");
  bytes[at] = 0xef;
  bytes[at + 1] = 0x41;
  await put(root, `${P}/Runs/Run_2026-04-17T14-32/.exlab-wizard/creation.json`, bytes);
  const { findings } = await auditTree({ config: config(root, ["CONFOCAL_01"]), now: NOW });
  const got = findings.map((f) => `${f.finding.rule} ${withL(root, f.finding.offending_path)} ${JSON.stringify(f.finding.matched_token)}`);
  assert.deepEqual(got, [
    `illegal_filesystem_character <L>/CONFOCAL_01/PROJ-0042/Runs/Run_<run_date> "<"`,
    `illegal_filesystem_character <L>/CONFOCAL_01/PROJ-0042/Runs/Run_<run_date> ">"`,
    `illegal_filesystem_character <L>/CONFOCAL_01/PROJ-0042/Runs/Run_<run_date> "<"`,
    `illegal_filesystem_character <L>/CONFOCAL_01/PROJ-0042/Runs/Run_<run_date> ">"`,
    `unreadable_record <L>/CONFOCAL_01/PROJ-0042/Runs/Run_2026-04-17T14-32/.exlab-wizard/creation.json null`,
    `unresolved_placeholder_token <L>/CONFOCAL_01/PROJ-0042/Runs/Run_<run_date> "<run_date>"`,
    `unresolved_placeholder_token <L>/CONFOCAL_01/PROJ-0042/Runs/Run_<run_date> "<run_date>"`,
    `orphan <L>/CONFOCAL_01/PROJ-0042/Runs/Run_2026-04-17T14-32 null`,
  ]);
  assert.match(findings[4]?.finding.rule_detail ?? "", /invalid UTF-8 inside a JSON string/);
  // The same bytes outside any string are an ordinary decode error: an orphan, no more.
  const outside = Buffer.concat([Buffer.from(text.slice(0, -1)), Buffer.from([0x20, 0xef, 0x7d])]);
  await put(root, `${P}/Runs/Run_2026-04-17T14-32/.exlab-wizard/creation.json`, outside);
  const again = await auditTree({ config: config(root, ["CONFOCAL_01"]), now: NOW });
  assert.deepEqual(
    again.findings.map((f) => f.finding.rule),
    [...Array<string>(4).fill("illegal_filesystem_character"), "unresolved_placeholder_token", "unresolved_placeholder_token", "orphan"],
  );
});

test("§6 table: which records read as typed, which as orphans", async (t) => {
  const root = await tempDir(t);
  const P = "CONFOCAL_01/P";
  await record(root, P, { level: "project" });
  const variants: [string, string | Record<string, unknown>, boolean][] = [
    ["valid", creationRecord("/x"), false],
    ["run_kind Test", creationRecord("/x", { run_kind: "Test" }), true],
    ["bad sync_status", creationRecord("/x", { sync_status: "archived" }), true],
    ["array", "[]", true],
    ["not JSON", "{", true],
    ["empty", "", true],
    ["BOM", `\ufeff${JSON.stringify(creationRecord("/x"))}`, true],
    ["overrides not a list", creationRecord("/x", { validation_overrides: {} }), true],
    ["override entry not an object", creationRecord("/x", { validation_overrides: [1] }), true],
    ["unknown keys", creationRecord("/x", { x_extra: 1 }), false],
    ["no schema_version", (() => { const r = creationRecord("/x"); delete r["schema_version"]; return r; })(), true],
    ["float isolation", creationRecord("/x", { plugins_applied: [{ plugin: "p", version: "1", files_affected: [], status: "success", isolation: { duration_ms: 1.5, exit_code: 0, peak_memory_mb: 1 } }] }), true],
  ];
  let i = 10;
  const expectOrphans: string[] = [];
  for (const [name, content, orphan] of variants) {
    const folder = `${P}/Runs/Run_2026-05-01T${i++}-00`;
    await put(root, `${folder}/.exlab-wizard/creation.json`, typeof content === "string" ? content : JSON.stringify(content));
    if (orphan) expectOrphans.push(`${name} <L>/${folder}`);
  }
  const names = new Map(variants.map(([n], k) => [`<L>/${P}/Runs/Run_2026-05-01T${10 + k}-00`, n]));
  const { findings } = await auditTree({ config: config(root, ["CONFOCAL_01"]), now: NOW });
  const orphans = findings.filter((f) => f.finding.rule === "orphan").map((f) => `${names.get(withL(root, f.finding.offending_path)) ?? "?"} ${withL(root, f.finding.offending_path)}`);
  assert.deepEqual(orphans, expectOrphans);
  assert.deepEqual(findings.filter((f) => f.finding.rule !== "orphan"), []);
});

test("§6.1: overrides the application's selection raises on become unreadable_record findings", async (t) => {
  const root = await tempDir(t);
  await record(root, "CONFOCAL_01/P", { level: "project", validation_overrides: [{ id: ["x"], problem_class: "orphan" }] });
  await record(root, "CONFOCAL_01/P/Runs/Run_2026-05-01T10-00", { validation_overrides: [{ id: "a", problem_class: "orphan", revoked: false, expires_at: 5 }] });
  await record(root, "CONFOCAL_01/P/Runs/Run_2026-05-01T11-00", { validation_overrides: [{ id: "a", problem_class: ["orphan"], revoked: false }] });
  // Falsy expiries are only expired, as in the application.
  await record(root, "CONFOCAL_01/P/Runs/Run_2026-05-01T12-00", { validation_overrides: [{ id: "a", problem_class: "orphan", revoked: false, expires_at: 0 }] });
  const { findings } = await auditTree({ config: config(root, ["CONFOCAL_01"]), now: NOW });
  assert.deepEqual(
    findings.map((f) => `${f.finding.rule} ${withL(root, f.finding.offending_path)}`),
    [
      "unreadable_record <L>/CONFOCAL_01/P/.exlab-wizard/creation.json",
      "unreadable_record <L>/CONFOCAL_01/P/Runs/Run_2026-05-01T10-00/.exlab-wizard/creation.json",
      "unreadable_record <L>/CONFOCAL_01/P/Runs/Run_2026-05-01T11-00/.exlab-wizard/creation.json",
    ],
  );
});
