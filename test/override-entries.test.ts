/**
 * The operator's writes to creation.json as pure functions: entries shaped
 * and ordered as the application writes them (example D), checked more
 * strictly than it checks them, and tombstones only for overrides in force.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import {
  APP_RULES,
  OverrideNotRevocableError,
  PROBLEM_CLASSES,
  ValidationError,
  addOverride,
  buildOverrideEntry,
  buildTombstoneEntry,
  creationRecord,
  decodeCreation,
  encodeCreation,
  parseCreation,
  revokeOverride,
  selectActiveOverrides,
  withSyncStatus,
  type SyncStatus,
} from "exlab-cache";
import { REPO_ROOT } from "./helpers/filelock.js";

const fixture = (name: string): string => readFileSync(join(REPO_ROOT, "test", "fixtures", "creation", `${name}.json`), "utf8");
const ids = (...list: string[]): (() => string) => () => list.shift() ?? "no-more-ids";

test("override and tombstone entries are written exactly as the application wrote example D", () => {
  const b = fixture("B");
  const doc = decodeCreation(Buffer.from(b));
  let record = withSyncStatus(creationRecord(doc), "blocked_by_validation");
  record = addOverride(
    record,
    { problem_class: "mode_prefix_mismatch", operator: "asmith", reason: "Folder renamed by hand; approved by PI." },
    { now: new Date("2026-04-18T09:14:22.900Z"), uuid: ids("0b5e3c1a-2f4d-4c8e-9a7b-6d5e4f3a2b1c") },
  ).record;
  record = revokeOverride(
    record,
    { id: "0b5e3c1a-2f4d-4c8e-9a7b-6d5e4f3a2b1c", operator: "asmith", reason: "Folder fixed; no longer needed." },
    { now: new Date("2026-05-01T11:02:14Z"), uuid: ids("5f1d2e3c-4b5a-4968-8776-a5b4c3d2e1f0") },
  ).record;
  assert.equal(encodeCreation(record, doc), fixture("D"));
});

test("a new override gets a random UUID v4, the clock's second, operator \"\" and expires_at null by default", () => {
  const e = buildOverrideEntry({ problem_class: "orphan", reason: "Kept on purpose here." }, { now: new Date("2026-05-01T12:00:00.999Z") });
  assert.match(e.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.deepEqual(Object.keys(e), ["id", "problem_class", "operator", "recorded_at", "reason", "revoked", "expires_at"]);
  assert.deepEqual({ ...e, id: "" }, { id: "", problem_class: "orphan", operator: "", recorded_at: "2026-05-01T12:00:00Z", reason: "Kept on purpose here.", revoked: false, expires_at: null });
  const f = buildOverrideEntry({ problem_class: "orphan", reason: "Kept on purpose here." }, { now: new Date() });
  assert.notEqual(f.id, e.id);
});

test("a bad override request lists every issue", () => {
  const bad = { problem_class: "made_up", reason: "too short", operator: 3, expires_at: "2026-05-01", extra: 1 };
  assert.throws(
    () => buildOverrideEntry(bad as never, { now: new Date() }),
    (e: unknown) => e instanceof ValidationError && e.issues.map((i) => i.path).join() === "problem_class,reason,operator,extra,expires_at",
  );
  const long = "x".repeat(501);
  assert.throws(() => buildOverrideEntry({ problem_class: "orphan", reason: long }, { now: new Date() }), ValidationError);
  // 10 characters counted as code points: five emoji are 10 UTF-16 units but 5 characters.
  assert.throws(() => buildOverrideEntry({ problem_class: "orphan", reason: "😀😀😀😀😀" }, { now: new Date() }), ValidationError);
  assert.equal(buildOverrideEntry({ problem_class: "orphan", reason: "x".repeat(500), expires_at: "2026-06-01T00:00:00Z" }, { now: new Date() }).expires_at, "2026-06-01T00:00:00Z");
});

test("a tombstone is refused for an unknown id, an id already revoked, and a tombstone", () => {
  const d = parseCreation(Buffer.from(fixture("D")));
  const now = { now: new Date("2026-05-02T00:00:00Z") };
  const reason = { reason: "A good enough reason." };
  const code = (id: string): string => {
    try {
      buildTombstoneEntry(d.validation_overrides, { id, ...reason }, now);
    } catch (e) {
      if (e instanceof OverrideNotRevocableError) return `${e.code}:${e.reason}`;
      throw e;
    }
    return "accepted";
  };
  assert.equal(code("nope"), "override_not_revocable:not_found");
  assert.equal(code("0b5e3c1a-2f4d-4c8e-9a7b-6d5e4f3a2b1c"), "override_not_revocable:already_revoked");
  assert.equal(code("5f1d2e3c-4b5a-4968-8776-a5b4c3d2e1f0"), "override_not_revocable:tombstone");
  const { record, entry } = addOverride(d, { problem_class: "orphan", ...reason }, now);
  const { record: after } = revokeOverride(record, { id: entry.id, ...reason }, now);
  assert.equal(after.validation_overrides.length, 4);
  assert.deepEqual(selectActiveOverrides(record.validation_overrides, now.now), [entry]);
  assert.deepEqual(selectActiveOverrides(after.validation_overrides, now.now), []);
  assert.equal(d.validation_overrides.length, 2, "the input record is not changed");
});

test("withSyncStatus accepts the five known statuses and refuses others", () => {
  const a = parseCreation(Buffer.from(fixture("A")));
  for (const s of ["pending", "synced", "failed", "blocked_by_validation", "cleaned"] as const) assert.equal(withSyncStatus(a, s).sync_status, s);
  assert.throws(() => withSyncStatus(a, "archived" as SyncStatus), ValidationError);
  assert.equal(a.sync_status, "pending");
});

test("the audit's rules are the problem classes an override waives: one list, not two copies", () => {
  assert.equal(APP_RULES, PROBLEM_CLASSES);
  assert.equal(PROBLEM_CLASSES.length, 9);
});
