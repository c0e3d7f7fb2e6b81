/**
 * Seeded generated trees mixing every audit rule, override state and broken
 * record. The expected findings are written from the digest's rule tables
 * (§3–§7) feature by feature, from the model of the tree, never by calling
 * the implementation; they are compared as multisets on every key but
 * `rule_detail` (whose sentences the fixture tests check byte for byte),
 * and the order is checked against §8.
 */
import assert from "node:assert/strict";
import { mkdir, symlink } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { auditTree } from "../../src/tree/audit.js";
import { tempDir } from "../helpers/tmp.js";
import { seededRandom } from "../helpers/versions.js";
import { creationRecord, put } from "./_trees.js";

const NOW = new Date("2026-05-01T12:00:00Z");
const HARD_RULES = ["illegal_filesystem_character", "unresolved_placeholder_token", "reserved_filesystem_name", "mode_prefix_mismatch", "leftover_jinja_marker", "missing_required_field"];


type Expected = [rule: string, tier: string, runPath: string, offending: string, kind: string, token: unknown, synced: boolean, overridden: boolean];

/** How a folder's record reads, and the flags it gives (§6, §7). */
interface RecordModel {
  readonly state: "typed" | "absent" | "broken" | "fatal" | "hazard";
  readonly synced: boolean;
  readonly active: ReadonlySet<string>;
}

const NONE: RecordModel = { state: "absent", synced: false, active: new Set() };

async function writeRecord(root: string, folder: string, pick: <T>(xs: readonly T[]) => T, extra: Record<string, unknown>, allowBroken: boolean): Promise<RecordModel> {
  const state = allowBroken ? pick(["typed", "typed", "typed", "absent", "broken", "fatal", "hazard"] as const) : "typed";
  const path = join(folder, ".exlab-wizard", "creation.json");
  if (state === "absent") return NONE;
  if (state === "broken") {
    await put(root, path, pick(["{", "[]", JSON.stringify(creationRecord("/x", { run_kind: "Test" })), JSON.stringify(creationRecord("/x", { sync_status: "archived" }))]));
    return { ...NONE, state };
  }
  if (state === "fatal") {
    const bytes = Buffer.from(JSON.stringify(creationRecord("/x", { created_by: "a@b" })));
    bytes[bytes.indexOf("@")] = 0xff;
    await put(root, path, bytes);
    return { ...NONE, state };
  }
  if (state === "hazard") {
    await put(root, path, JSON.stringify(creationRecord("/x", { ...extra, validation_overrides: [pick([{ id: ["x"] }, { id: "a", problem_class: "orphan", revoked: false, expires_at: true }, { id: "a", problem_class: { x: 1 }, revoked: false }])] })));
    return { ...NONE, state };
  }
  const status = pick(["pending", "synced", "cleaned", "failed"]);
  const cls = pick(HARD_RULES);
  const kind = pick(["none", "active", "future", "expired", "tombstoned", "string-revoked"] as const);
  const entries: Record<string, unknown>[] = [];
  if (kind === "active") entries.push({ id: "o1", problem_class: cls, revoked: false, expires_at: null });
  if (kind === "future") entries.push({ id: "o1", problem_class: cls, revoked: false, expires_at: "2099-01-01T00:00:00+02:00" });
  if (kind === "expired") entries.push({ id: "o1", problem_class: cls, revoked: false, expires_at: "2026-05-01T12:00:00Z" });
  if (kind === "tombstoned") entries.push({ id: "t1", revokes: "o1", revoked: true }, { id: "o1", problem_class: cls, revoked: false, expires_at: null });
  if (kind === "string-revoked") entries.push({ id: "o1", problem_class: cls, revoked: "false" });
  await put(root, path, JSON.stringify(creationRecord("/x", { ...extra, sync_status: status, validation_overrides: entries })));
  const live = kind === "active" || kind === "future";
  return { state, synced: status === "synced" || status === "cleaned", active: new Set(live ? [cls] : []) };
}

async function buildTree(root: string, seed: number): Promise<{ ids: string[]; expected: Expected[] }> {
  const r = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const expected: Expected[] = [];
  const hit = (rule: string, runPath: string, offending: string, kind: string, token: unknown, rec: RecordModel): void => {
    const hard = !["orphan", "missing_required_field", "unsafe_project_name"].includes(rule);
    expected.push([rule, hard ? "hard" : "soft", runPath, offending, kind, token, hard && rec.synced, rec.active.has(rule)]);
  };
  const eq = `EQ_${seed}`;
  const E = join(root, eq);
  await mkdir(E, { recursive: true });
  const nProjects = 1 + Math.floor(r() * 3);
  for (let p = 0; p < nProjects; p++) {
    const name = pick(["PROJ-1", "PROJ-2", "CON", "Proj_<name>", "a:b"]) + (p === 0 ? "" : `-${p}`);
    const P = join(E, name);
    await mkdir(P, { recursive: true });
    const withIds = r() < 0.3;
    const prec = await writeRecord(root, join(eq, name), pick, { level: "project", ...(withIds ? { required_readme_field_ids: ["sample_type", "operator"] } : {}) }, true);
    // The project's name: judged by the equipment folder's loop and by its own pass (§4.9).
    const nameHits = (at: string, rec: RecordModel): void => {
      if (name.includes("<name>")) {
        hit("unresolved_placeholder_token", at, P, "directory_segment", "<name>", rec);
        hit("illegal_filesystem_character", at, P, "directory_segment", "<", rec);
        hit("illegal_filesystem_character", at, P, "directory_segment", ">", rec);
      }
      if (name.includes(":")) hit("illegal_filesystem_character", at, P, "directory_segment", ":", rec);
    };
    nameHits(E, NONE);
    nameHits(P, prec.state === "typed" ? prec : NONE);
    const own = prec.state === "typed" ? prec : NONE;
    if (name.startsWith("CON")) {
      // `CON-1` is not reserved: the stem before the first dot is `CON-1`.
      if (name === "CON") hit("unsafe_project_name", P, P, "directory_segment", "CON", own);
    }
    if (name.includes("<name>")) {
      hit("unsafe_project_name", P, P, "directory_segment", "<", own);
      hit("unsafe_project_name", P, P, "directory_segment", ">", own);
    }
    if (name.includes(":")) hit("unsafe_project_name", P, P, "directory_segment", ":", own);
    // A record whose overrides the application cannot evaluate is still typed: no orphan, no flags.
    if (prec.state !== "typed" && prec.state !== "hazard") hit("orphan", P, P, "directory_segment", null, NONE);
    if (prec.state === "fatal" || prec.state === "hazard") hit("unreadable_record", P, join(P, ".exlab-wizard/creation.json"), "file_content", null, NONE);
    if (withIds && (prec.state === "typed" || prec.state === "hazard")) {
      const readme = join(P, ".exlab-wizard/readme_fields.json");
      await put(root, join(eq, name, ".exlab-wizard/readme_fields.json"), { schema_version: "1.1", generated_at: "x", core_fields: { operator: "asmith" }, system_fields: {}, template_fields: { sample_type: null } });
      hit("missing_required_field", P, readme, "file_content", "sample_type", own);
    }
    const nRuns = 1 + Math.floor(r() * 4);
    for (let i = 0; i < nRuns; i++) {
      const where = pick(["Runs", "Runs", "TestRuns", "misplaced"] as const);
      const folderKind = where === "TestRuns" ? "test" : "experimental";
      const leaf = `${where === "TestRuns" ? "TestRun_" : "Run_"}${pick(["2026-05-01T10-0", "<run_date>"])}${i}`;
      const container = where === "misplaced" ? P : join(P, where);
      const R = join(container, leaf);
      const rel = R.slice(root.length + 1);
      await mkdir(R, { recursive: true });
      const recKind = r() < 0.25 ? (folderKind === "test" ? "experimental" : "test") : folderKind;
      const rrec = await writeRecord(root, rel, pick, { run_kind: recKind, ...(r() < 0.15 ? { schema_version: "2.0" } : {}) }, true);
      const rown = rrec.state === "typed" ? rrec : NONE;
      // The run's name, in its parent's loop (the marker folder, or the project) and in its own pass.
      const parentRec = where === "misplaced" ? own : NONE;
      for (const [at, rec] of [[container, parentRec], [R, rown]] as const) {
        if (leaf.includes("<run_date>")) {
          hit("unresolved_placeholder_token", at, R, "directory_segment", "<run_date>", rec);
          hit("illegal_filesystem_character", at, R, "directory_segment", "<", rec);
          hit("illegal_filesystem_character", at, R, "directory_segment", ">", rec);
        }
      }
      if (rrec.state !== "typed" && rrec.state !== "hazard") hit("orphan", R, R, "directory_segment", null, NONE);
      if (rrec.state === "fatal" || rrec.state === "hazard") hit("unreadable_record", R, join(R, ".exlab-wizard/creation.json"), "file_content", null, NONE);
      if (rrec.state === "typed" || rrec.state === "hazard") {
        // §4.5: the leaf's prefix, then the parent's name.
        const parentName = where === "misplaced" ? name : where;
        if (recKind === "test") {
          if (!leaf.startsWith("TestRun_")) hit("mode_prefix_mismatch", R, R, "directory_segment", leaf, rown);
          if (parentName !== "TestRuns") hit("mode_prefix_mismatch", R, R, "directory_segment", parentName, rown);
        } else {
          if (!leaf.startsWith("Run_")) hit("mode_prefix_mismatch", R, R, "directory_segment", leaf, rown);
          if (parentName !== "Runs") hit("mode_prefix_mismatch", R, R, "directory_segment", parentName, rown);
        }
      }
      // Files of the run: each feature with the findings §4 gives it.
      await put(root, join(rel, "data.csv"), "1,2\n");
      if (r() < 0.5) {
        await put(root, join(rel, "notes.txt"), "see <tok> then {{ var }} and {% blk %} and <2 mM>\n");
        hit("unresolved_placeholder_token", R, join(R, "notes.txt"), "file_content", "<tok>", rown);
        hit("leftover_jinja_marker", R, join(R, "notes.txt"), "file_content", "{{ var }}", rown);
        hit("leftover_jinja_marker", R, join(R, "notes.txt"), "file_content", "{% blk %}", rown);
      }
      if (r() < 0.4) {
        await put(root, join(rel, "aux.log"), "x");
        hit("reserved_filesystem_name", R, join(R, "aux.log"), "file_name", "AUX", rown);
      }
      if (r() < 0.4) {
        await put(root, join(rel, "a:b.csv"), "x");
        hit("illegal_filesystem_character", R, join(R, "a:b.csv"), "file_name", ":", rown);
      }
      if (r() < 0.3) {
        await put(root, join(rel, "trail."), "<not_scanned>");
        hit("illegal_filesystem_character", R, join(R, "trail."), "file_name", ".", rown);
      }
      if (r() < 0.3) await put(root, join(rel, "image.tif"), "<not_scanned>");
      if (r() < 0.3) await put(root, join(rel, ".exlab-wizard/notes.txt"), "<hidden_in_cache>");
      if (r() < 0.3) await symlink("/nonexistent", join(R, "link_<x>"));
      if (r() < 0.4) {
        // A subfolder is level "other": attributed to the run, governed by its own (absent) record.
        await put(root, join(rel, "raw", "b_<z>.txt"), "x");
        hit("unresolved_placeholder_token", R, join(R, "raw", "b_<z>.txt"), "file_name", "<z>", NONE);
        hit("illegal_filesystem_character", R, join(R, "raw", "b_<z>.txt"), "file_name", "<", NONE);
        hit("illegal_filesystem_character", R, join(R, "raw", "b_<z>.txt"), "file_name", ">", NONE);
      }
    }
  }
  return { ids: [eq], expected };
}

const key = (e: Expected): string => JSON.stringify(e);
const TIER: Record<string, number> = { hard: 0, soft: 1 };

test("24 seeded trees agree with the digest's rule tables, duplicates included, in §8's order", async (t) => {
  const rules = new Set<string>();
  for (let seed = 1; seed <= 24; seed++) {
    const root = await tempDir(t);
    const { ids, expected } = await buildTree(root, seed);
    const { findings } = await auditTree({ config: { localRoot: root, equipmentIds: ids }, now: () => NOW });
    const got = findings.map(({ finding: f }): Expected => [f.rule, f.tier, f.run_path, f.offending_path, f.offending_kind, f.matched_token, f.synced_under_prior_policy, f.override_active]);
    assert.deepEqual(got.map(key).sort(), expected.map(key).sort(), `seed ${seed}`);
    for (let i = 1; i < got.length; i++) {
      const [a, b] = [got[i - 1] as Expected, got[i] as Expected];
      const order = (TIER[a[1]] ?? 2) - (TIER[b[1]] ?? 2) || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0) || (a[3] < b[3] ? -1 : a[3] > b[3] ? 1 : 0);
      assert.ok(order <= 0, `seed ${seed}: ${key(a)} before ${key(b)}`);
    }
    for (const e of expected) rules.add(e[0]);
  }
  // Every rule the audit can give, ours included, occurred somewhere.
  assert.deepEqual([...rules].sort(), ["illegal_filesystem_character", "leftover_jinja_marker", "missing_required_field", "mode_prefix_mismatch", "orphan", "reserved_filesystem_name", "unreadable_record", "unresolved_placeholder_token", "unsafe_project_name"]);
});
