/**
 * selectActiveOverrides: every row of cache-family §4's edge-case table, at
 * the table's `now`, and a differential run against a Python reference of the
 * same algorithm (test/python/select_overrides.py, on /usr/bin/python3 whose
 * `datetime.fromisoformat` is the one the application's expiry parser uses)
 * over generated expiry strings and generated entry lists.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";
import fc from "fast-check";
import { ValidationError, selectActiveOverrides, type OverrideWarning } from "exlab-cache";
import { needs } from "./helpers/capabilities.js";
import { PYTHON, pyScript } from "./helpers/filelock.js";

import type * as IsoModule from "../dist/schema/_isotime.js";
const { isoInstantMicros } = (await import(new URL("../../dist/schema/_isotime.js", import.meta.url).href)) as typeof IsoModule;

const NOW = Date.parse("2026-05-01T12:00:00Z");
const PAST = "2026-04-01T00:00:00Z";
const FUTURE = "2026-06-01T00:00:00Z";

type Entry = Record<string, unknown>;
const o = (id: unknown, extra: Entry = {}): Entry => ({ id, problem_class: "orphan", revoked: false, ...extra });
const t = (id: unknown, revokes: unknown, extra: Entry = {}): Entry => ({ id, revokes, revoked: true, ...extra });
const exp = (value: unknown): Entry[] => [o("a", { expires_at: value })];

interface Row {
  readonly name: string;
  readonly entries: Entry[];
  /** Indices of the active entries. */
  readonly active: number[];
  /** Warning codes expected, in order. */
  readonly warnings?: OverrideWarning["code"][];
  /** The application raises here; this is our documented fail-safe answer. */
  readonly divergence?: true;
}

const rows: Row[] = [
  { name: "tombstone placed before its target", entries: [t("t", "a"), o("a")], active: [] },
  { name: "orphan tombstone: warned, no effect", entries: [o("a"), t("t", "zz")], active: [0], warnings: ["orphan_tombstone"] },
  { name: "tombstone without revokes: silent, no effect", entries: [o("a"), { id: "t", revoked: true }], active: [0] },
  { name: "tombstone with revokes null: silent, no effect", entries: [o("a"), t("t", null)], active: [0] },
  { name: "revoking a tombstone does not restore its target", entries: [o("a"), t("t1", "a"), t("t2", "t1")], active: [] },
  { name: "revokes but no revoked key: an active override", entries: [o("a"), { id: "x", revokes: "a" }], active: [0, 1] },
  { name: 'revoked "false" (a string) is a tombstone', entries: [o("a", { revoked: "false" })], active: [] },
  { name: "revoked 1 is a tombstone", entries: [o("a", { revoked: 1 })], active: [] },
  { name: "revoked [] and {} are false in Python", entries: [o("a", { revoked: [] }), o("b", { revoked: {} }), o("c", { revoked: 0 }), o("d", { revoked: "" }), o("e", { revoked: null })], active: [0, 1, 2, 3, 4] },
  { name: "two entries sharing an id, one tombstone: both inactive", entries: [o("a"), o("a"), t("t", "a")], active: [] },
  { name: "entry without id is active", entries: [{ problem_class: "orphan", revoked: false }], active: [0] },
  { name: "a tombstone's own past expires_at is ignored", entries: [o("a"), t("t", "a", { expires_at: PAST })], active: [] },
  { name: "expired override later tombstoned", entries: [o("a", { expires_at: PAST }), t("t", "a")], active: [] },
  { name: "expires_at equal to now (to the second) is past", entries: exp("2026-05-01T12:00:00Z"), active: [] },
  { name: "…T12:00:01Z is active", entries: exp("2026-05-01T12:00:01Z"), active: [0] },
  { name: "…T12:00:01+00:00 is active", entries: exp("2026-05-01T12:00:01+00:00"), active: [0] },
  { name: "…T14:00:01+02:00 is active (offsets honoured)", entries: exp("2026-05-01T14:00:01+02:00"), active: [0] },
  { name: "…T14:00:00+02:00 is the same instant as now: past", entries: exp("2026-05-01T14:00:00+02:00"), active: [] },
  { name: "naive …T12:00:01 is UTC: active", entries: exp("2026-05-01T12:00:01"), active: [0] },
  { name: "naive …T12:00:00 is UTC: past", entries: exp("2026-05-01T12:00:00"), active: [] },
  { name: "date only 2026-05-02 is midnight UTC: active", entries: exp("2026-05-02"), active: [0] },
  { name: "date only 2026-05-01 is midnight UTC: past", entries: exp("2026-05-01"), active: [] },
  { name: "space separator", entries: exp("2026-05-01 12:00:01Z"), active: [0] },
  { name: "basic format 20260502T000000Z", entries: exp("20260502T000000Z"), active: [0] },
  { name: "fractional seconds …T12:00:00.5Z", entries: exp("2026-05-01T12:00:00.5Z"), active: [0] },
  { name: "fraction below now's millisecond …T11:59:59.9999Z", entries: exp("2026-05-01T11:59:59.9999Z"), active: [] },
  { name: "lower-case …t12:00:01z is malformed: expired", entries: exp("2026-05-01t12:00:01z"), active: [], warnings: ["malformed_expiry"] },
  { name: '"garbage" is malformed: expired', entries: exp("garbage"), active: [], warnings: ["malformed_expiry"] },
  { name: '"" is malformed: expired', entries: exp(""), active: [], warnings: ["malformed_expiry"] },
  { name: "expires_at 0 is falsy: expired", entries: exp(0), active: [], warnings: ["malformed_expiry"] },
  { name: "expires_at false is falsy: expired", entries: exp(false), active: [], warnings: ["malformed_expiry"] },
  { name: "expires_at [] is falsy: expired", entries: exp([]), active: [], warnings: ["malformed_expiry"] },
  { name: "expires_at {} is falsy: expired", entries: exp({}), active: [], warnings: ["malformed_expiry"] },
  { name: "expires_at null is no expiry", entries: exp(null), active: [0] },
  { name: "expires_at 5 (app: crash) counts as expired", entries: exp(5), active: [], warnings: ["malformed_expiry"], divergence: true },
  { name: "expires_at true (app: crash) counts as expired", entries: exp(true), active: [], warnings: ["malformed_expiry"], divergence: true },
  { name: "expires_at [1] (app: crash) counts as expired", entries: exp([FUTURE]), active: [], warnings: ["malformed_expiry"], divergence: true },
  { name: "expires_at {a:1} (app: crash) counts as expired", entries: exp({ a: FUTURE }), active: [], warnings: ["malformed_expiry"], divergence: true },
  { name: "array id (app: crash) cannot be revoked", entries: [o(["a"]), t("t", ["a"])], active: [0], warnings: ["unhashable_reference", "unhashable_reference"], divergence: true },
  { name: "object revokes (app: crash) revokes nothing", entries: [o("a"), t("t", { id: "a" })], active: [0], warnings: ["unhashable_reference"], divergence: true },
  { name: "Python equality: revokes 1 matches id true", entries: [o(true), t("t", 1)], active: [] },
  { name: 'Python equality: revokes "1" does not match id 1', entries: [o(1), t("t", "1")], active: [0], warnings: ["orphan_tombstone"] },
  { name: "entries that are not objects are skipped", entries: ["x" as unknown as Entry, o("a")], active: [1] },
];

for (const row of rows) {
  test(`§4: ${row.name}`, () => {
    const warnings: OverrideWarning["code"][] = [];
    const active = selectActiveOverrides(row.entries, NOW, { onWarning: (w) => warnings.push(w.code) });
    assert.deepEqual(active.map((e) => row.entries.indexOf(e)), row.active);
    assert.deepEqual(warnings, row.warnings ?? []);
  });
}

test("§4: a naive now cannot happen; an invalid one, or entries that are not an array, are validation_failed naming the field", () => {
  const refused = (field: string) => (e: unknown): boolean => e instanceof ValidationError && e.code === "validation_failed" && e.field === field;
  assert.throws(() => selectActiveOverrides([], new Date(Number.NaN)), refused("now"));
  assert.throws(() => selectActiveOverrides([], Number.NaN), refused("now"));
  assert.throws(() => selectActiveOverrides([], "2026-04-17" as never), refused("now"));
  assert.throws(() => selectActiveOverrides([], null as never), refused("now"));
  assert.throws(() => selectActiveOverrides(null as never, new Date(NOW)), refused("entries"));
  assert.throws(() => selectActiveOverrides({ length: 1 } as never, new Date(NOW)), refused("entries"));
  assert.deepEqual(selectActiveOverrides([o("a", { expires_at: FUTURE })], new Date(NOW)).length, 1);
});

test("§4: the result keeps the original objects in order", () => {
  const entries = [o("b"), o("a"), t("t", "zz")];
  const active = selectActiveOverrides(entries, NOW);
  assert.equal(active[0], entries[0]);
  assert.equal(active[1], entries[1]);
});

// ---- differential, against the Python reference ----

function python(cases: readonly object[]): Record<string, unknown>[] {
  const out = execFileSync(PYTHON, [pyScript("select_overrides.py")], {
    input: cases.map((c) => JSON.stringify(c)).join("\n") + "\n",
    encoding: "utf8",
    maxBuffer: 64 << 20,
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" },
  });
  return out.trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
}

const pad = (n: number, w: number): string => String(n).padStart(w, "0");
const isoPieces = fc.record({
  y: fc.oneof(fc.constant(2026), fc.integer({ min: 1, max: 9999 })),
  mo: fc.integer({ min: 0, max: 13 }),
  d: fc.integer({ min: 0, max: 32 }),
  h: fc.integer({ min: 0, max: 25 }),
  mi: fc.integer({ min: 0, max: 60 }),
  s: fc.integer({ min: 0, max: 60 }),
  frac: fc.constantFrom("", ".5", ",25", ".123456", ".1234567", ".", ".0001"),
  sep: fc.constantFrom("T", " ", "x", "t", ""),
  dateStyle: fc.constantFrom("ext", "basic", "week", "weekday", "basicweek"),
  timeStyle: fc.constantFrom("hms", "hm", "h", "basic", "none"),
  tz: fc.constantFrom("", "Z", "z", "+00:00", "+02:00", "-05:30", "+0200", "+02", "+23:59", "+24:00", "-00:00:30", "+00:00.5", "+2", "Zx"),
});
const isoString = isoPieces.map((p) => {
  const date =
    p.dateStyle === "ext" ? `${pad(p.y, 4)}-${pad(p.mo, 2)}-${pad(p.d, 2)}`
      : p.dateStyle === "basic" ? `${pad(p.y, 4)}${pad(p.mo, 2)}${pad(p.d, 2)}`
        : p.dateStyle === "week" ? `${pad(p.y, 4)}-W${pad(p.d + 21, 2)}`
          : p.dateStyle === "weekday" ? `${pad(p.y, 4)}-W${pad(p.d + 21, 2)}-${p.h % 9}`
            : `${pad(p.y, 4)}W${pad(p.d + 21, 2)}${p.h % 9}`;
  const time =
    p.timeStyle === "hms" ? `${pad(p.h, 2)}:${pad(p.mi, 2)}:${pad(p.s, 2)}${p.frac}`
      : p.timeStyle === "hm" ? `${pad(p.h, 2)}:${pad(p.mi, 2)}`
        : p.timeStyle === "h" ? pad(p.h, 2)
          : p.timeStyle === "basic" ? `${pad(p.h, 2)}${pad(p.mi, 2)}${pad(p.s, 2)}${p.frac}`
            : "";
  return time === "" ? `${date}${p.sep === "" ? "" : p.tz}` : `${date}${p.sep}${time}${p.tz}`;
});
// Strings near the grammar: a well-formed one with a character dropped,
// doubled or replaced, and short strings over the grammar's alphabet.
const mangled = fc.tuple(isoString, fc.nat(), fc.constantFrom("drop", "double", "swap"), fc.constantFrom(..."0123456789-:T Z+.,W")).map(([s, at, how, c]) => {
  const i = at % Math.max(1, s.length);
  return how === "drop" ? s.slice(0, i) + s.slice(i + 1) : how === "double" ? s.slice(0, i) + (s[i] ?? "") + s.slice(i) : s.slice(0, i) + c + s.slice(i + 1);
});
const alphabetSoup = fc.array(fc.constantFrom(..."0123456789-:T Z+.,W"), { minLength: 6, maxLength: 24 }).map((cs) => cs.join(""));
const anyIso = fc.oneof({ weight: 4, arbitrary: isoString }, { weight: 3, arbitrary: mangled }, { weight: 1, arbitrary: alphabetSoup });

test("differential: the expiry parser agrees with Python's datetime.fromisoformat", needs(["python3"]), () => {
  const texts = fc.sample(anyIso, { numRuns: 6000, seed: 18 });
  const answers = python(texts.map((iso) => ({ iso })));
  let accepted = 0;
  const mismatches: string[] = [];
  texts.forEach((text, i) => {
    const ours = isoInstantMicros(text.endsWith("Z") ? `${text.slice(0, -1)}+00:00` : text);
    const theirs = answers[i]?.["micros"];
    const want = theirs === null || theirs === undefined ? undefined : BigInt(theirs as string);
    if (want !== undefined) accepted++;
    if (ours !== want) mismatches.push(`${JSON.stringify(text)}: ours ${ours}, Python ${want}`);
  });
  assert.deepEqual(mismatches.slice(0, 20), []);
  // Both sides of the grammar were exercised.
  assert.ok(accepted > 600 && accepted < texts.length - 600, `accepted ${accepted} of ${texts.length}`);
});

const ids = fc.constantFrom<unknown>("a", "b", "c", 1, true, null);
const entryArb = fc.record(
  {
    id: ids,
    problem_class: fc.constant("orphan"),
    revoked: fc.constantFrom<unknown>(false, true, 0, 1, "", "false", [], {}, null, [0]),
    revokes: fc.constantFrom<unknown>("a", "b", "c", "zz", 1, true, null),
    expires_at: fc.oneof(fc.constantFrom<unknown>(null, "", 0, false, [], {}), anyIso, isoString.map((s) => s.replace(/^\d{4}/, "2026"))),
  },
  { requiredKeys: [] },
);

test("differential: selection agrees with the Python reference wherever the application does not crash", needs(["python3"]), () => {
  const lists = fc.sample(fc.array(entryArb, { maxLength: 6 }), { numRuns: 2500, seed: 4 });
  const answers = python(lists.map((entries) => ({ entries, now_ms: NOW })));
  let compared = 0;
  let nonEmpty = 0;
  lists.forEach((entries, i) => {
    const theirs = answers[i] ?? {};
    if ("crash" in theirs) return;
    compared++;
    const warnings: [string, number][] = [];
    const active = selectActiveOverrides(entries, NOW, { onWarning: (w) => warnings.push([w.code, w.index]) });
    const ours = active.map((e) => entries.indexOf(e));
    if (ours.length > 0) nonEmpty++;
    assert.deepEqual({ active: ours, warnings }, theirs, JSON.stringify(entries));
  });
  assert.ok(compared > 1500 && nonEmpty > 300, `compared ${compared}, with active entries ${nonEmpty}`);
});
