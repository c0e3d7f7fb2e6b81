/**
 * `formatLogLine` writes what the application's `format_log_line` writes
 * (cache-family §7.2–7.3), and `parseLogLine` reads it back.
 *
 * The examples are the digest's measured lines, verbatim. The generated
 * cases are checked against test/python/log_line_ref.py: a Python 3
 * reference of the §7.2–7.3 rules written from the digest, because the
 * application's own code is not available here. Cases without a character
 * we escape go to the reference untouched (the line must be the
 * application's, byte for byte); the others go with the documented escape
 * applied first.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import fc from "fast-check";
import { ValidationError, escapeLogText, formatLogLine, parseLogLine, type LogEntryInput } from "exlab-cache";
import { needs } from "./helpers/capabilities.js";
import { PYTHON, pyScript } from "./helpers/filelock.js";

const AT = new Date("2026-04-17T14:32:05.999Z");
const bytes = (s: string): number => Buffer.byteLength(s, "utf8");

test("the digest's measured lines come out byte for byte", () => {
  assert.equal(formatLogLine({ at: AT, level: "INFO", equip: "CONFOCAL_01", message: "creation completed" }), "2026-04-17T14:32:05Z [INFO ] [equip:CONFOCAL_01] creation completed");
  assert.equal(
    formatLogLine({ at: AT, level: "WARN", host: "labpc-04", equip: "E", proj: "PROJ-0042", kind: "test", run: "TestRun_x", message: "m" }),
    "2026-04-17T14:32:05Z [WARN ] [host:labpc-04] [equip:E] [proj:PROJ-0042] [kind:test] [run:TestRun_x] m",
  );
  assert.equal(formatLogLine({ at: AT, level: "DEBUG", message: "" }), "2026-04-17T14:32:05Z [DEBUG] ");
  assert.equal(formatLogLine({ at: AT, level: "WARNING", message: "x" }), "2026-04-17T14:32:05Z [WARNING] x");
});

test("tags keep their order whatever the object's order, empty values render, null and absent ones do not", () => {
  const entry = { run: "R", kind: "", proj: null, equip: undefined, host: "h", at: AT, level: "I", message: "m" } as LogEntryInput;
  assert.equal(formatLogLine(entry), "2026-04-17T14:32:05Z [I    ] [host:h] [kind:] [run:R] m");
  assert.equal(formatLogLine({ at: AT, level: "INFO", host: "", message: "" }), "2026-04-17T14:32:05Z [INFO ] [host:] ");
});

test("lines of 1023 and 1024 bytes are unchanged; 1025 is cut to 1024 with the marker", () => {
  const prefix = "2026-04-17T14:32:05Z [INFO ] ";
  for (const total of [1023, 1024]) {
    const line = formatLogLine({ at: AT, level: "INFO", message: "a".repeat(total - prefix.length) });
    assert.equal(bytes(line), total);
    assert.ok(!line.endsWith("...[truncated]"));
  }
  const cut = formatLogLine({ at: AT, level: "INFO", message: "a".repeat(1025 - prefix.length) });
  assert.equal(bytes(cut), 1024);
  assert.equal(cut, `${prefix}${"a".repeat(1010 - prefix.length)}...[truncated]`);
});

test("a character cut in half is dropped: a run of é gives 1023 bytes", () => {
  const line = formatLogLine({ at: AT, level: "INFO", message: "é".repeat(600) });
  assert.equal(bytes(line), 1023);
  assert.equal(line, `2026-04-17T14:32:05Z [INFO ] ${"é".repeat(490)}...[truncated]`);
  // Four-byte characters: 1010 - 29 = 981 bytes of room hold 245 of them (980 bytes).
  const emoji = formatLogLine({ at: AT, level: "INFO", message: "😀".repeat(300) });
  assert.equal(bytes(emoji), 1023);
  assert.ok(emoji.endsWith(`${"😀".repeat(245)}...[truncated]`));
});

test("a prefix of 1010 bytes or more is itself cut and the message lost", () => {
  const line = formatLogLine({ at: AT, level: "INFO", proj: "p".repeat(1200), message: "lost" });
  assert.equal(bytes(line), 1024);
  assert.equal(line, `2026-04-17T14:32:05Z [INFO ] [proj:${"p".repeat(1010 - 35)}...[truncated]`);
  const split = formatLogLine({ at: AT, level: "INFO", proj: `${"p".repeat(974)}${"€".repeat(10)}`, message: "lost" });
  // 35 + 974 = 1009 bytes, then a three-byte character that does not fit: 1023.
  assert.equal(split, `2026-04-17T14:32:05Z [INFO ] [proj:${"p".repeat(974)}...[truncated]`);
});

test("controls and line separators are escaped in the message and tag values; backslashes stay single", () => {
  const line = formatLogLine({ at: AT, level: "ERROR", run: "a\nb", message: "C:\\data\\run\r\n\tx\x00\x1b[31m\x7f\u0085\u2028\u2029 é" });
  assert.equal(line, "2026-04-17T14:32:05Z [ERROR] [run:a\\nb] C:\\data\\run\\r\\n\\tx\\x00\\x1b[31m\\x7f\\x85\\u2028\\u2029 é");
  assert.ok(!/[\n\r]/.test(line));
  assert.equal(escapeLogText("plain \\n stays"), "plain \\n stays");
});

test("bad entries are refused with every problem listed; a lone surrogate is one", () => {
  const err = (entry: unknown): ValidationError => {
    try {
      formatLogLine(entry as LogEntryInput);
    } catch (e) {
      assert.ok(e instanceof ValidationError);
      return e;
    }
    assert.fail("accepted");
  };
  const lone = err({ at: AT, level: "INFO", message: "a\ud800b", host: "\udc00" });
  assert.equal(lone.code, "validation_failed");
  assert.deepEqual(lone.issues.map((i) => i.path), ["message", "host"]);
  assert.match(lone.message, /lone surrogate/);
  const many = err({ at: new Date(Number.NaN), level: "IN FO", message: 3, run: 4 });
  assert.deepEqual(many.issues.map((i) => i.path), ["at", "level", "message", "run"]);
  assert.deepEqual(err({ at: new Date("0999-12-31T00:00:00Z"), level: "", message: "" }).issues.map((i) => i.path), ["at", "level"]);
  assert.deepEqual(err(null).issues.map((i) => i.path), ["entry"]);
  // A surrogate pair is a character like any other.
  assert.equal(formatLogLine({ at: AT, level: "INFO", message: "\ud83d\ude00" }), "2026-04-17T14:32:05Z [INFO ] 😀");
});

// ---- generated cases against the Python reference ----

const SPECIAL = ["\n", "\r", "\r\n", "\t", "\x00", "\x1b", "\x7f", "\x85", "\x9f", "\u2028", "\u2029", "\\", "]", "] [", "[run:", "[", " ", "é", "€", "😀", "\ud800", "\udfff"];
const text = (max: number): fc.Arbitrary<string> =>
  fc
    .array(
      fc.oneof(
        { weight: 4, arbitrary: fc.string({ unit: "binary", maxLength: 6 }) },
        { weight: 3, arbitrary: fc.constantFrom(...SPECIAL) },
        { weight: 1, arbitrary: fc.constantFrom("x".repeat(300), "é".repeat(170), "😀".repeat(90), "€".repeat(333)) },
      ),
      { maxLength: max },
    )
    .map((parts) => parts.join(""));
const tag = fc.option(fc.oneof({ weight: 5, arbitrary: text(3) }, { weight: 1, arbitrary: text(8) }), { nil: undefined });
const entryArb = fc.record({
  at: fc.date({ min: new Date("1001-01-01T00:00:00Z"), max: new Date("9998-12-31T23:59:59.999Z"), noInvalidDate: true }),
  offset: fc.option(fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }), { nil: null }),
  level: fc.oneof(fc.constantFrom("INFO", "WARN", "DEBUG", "ERROR", "WARNING", "CRITICAL"), fc.stringMatching(/^[A-Z]{1,7}$/)),
  host: tag,
  equip: tag,
  proj: tag,
  kind: tag,
  run: tag,
  message: text(10),
});
type Case = typeof entryArb extends fc.Arbitrary<infer T> ? T : never;

const unreadable = (c: Case): boolean => [c.host, c.equip, c.proj, c.kind, c.run].some((v) => v?.includes("]") === true) || /^\[(host|equip|proj|kind|run):/.test(c.message);

/** The entry of a case: `offset` is how the reference is given the date, not a field. */
const entryOf = ({ offset: _, ...entry }: Case): LogEntryInput => entry;

function ours(c: Case): { line: string } | { error: string } {
  try {
    return { line: formatLogLine(entryOf(c)) };
  } catch (err) {
    assert.ok(err instanceof ValidationError, String(err));
    return { error: "refused" };
  }
}

test("generated entries: every line is the Python reference's (escape applied first where it changes anything)", needs(["python3"]), () => {
  const seed = Date.now() | 0;
  const cases = fc.sample(entryArb, { numRuns: 2000, seed });
  const clean = (c: Case): boolean => [c.message, c.host, c.equip, c.proj, c.kind, c.run].every((v) => v === undefined || escapeLogText(v) === v);
  const input = cases
    .map((c) => JSON.stringify({ ms: c.at.getTime(), offset: c.offset, level: c.level, tags: { host: c.host ?? null, equip: c.equip ?? null, proj: c.proj ?? null, kind: c.kind ?? null, run: c.run ?? null }, message: c.message, escape: !clean(c) }))
    .join("\n");
  const run = spawnSync(PYTHON, [pyScript("log_line_ref.py")], { input: `${input}\n`, encoding: "utf8", maxBuffer: 64 << 20, env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" } });
  assert.equal(run.status, 0, run.stderr);
  const theirs = run.stdout.trimEnd().split("\n").map((l) => JSON.parse(l) as { line?: string; error?: string });
  assert.equal(theirs.length, cases.length);
  let cleanCount = 0;
  let cut = 0;
  let refused = 0;
  for (const [i, c] of cases.entries()) {
    const mine = ours(c);
    // We also refuse what could not be read back: a `]` in a tag, a message opening with a tag.
    const expected: unknown = theirs[i]?.error === undefined && !unreadable(c) ? { line: theirs[i]?.line } : { error: "refused" };
    assert.deepEqual<unknown>(mine, expected, `seed ${seed}, case ${i}: ${JSON.stringify(c)}`);
    if ("line" in mine) {
      assert.ok(bytes(mine.line) <= 1024 && !/[\n\r\u0085\u2028\u2029]/.test(mine.line), `seed ${seed}, case ${i}`);
      if (clean(c)) cleanCount++;
      if (mine.line.endsWith("...[truncated]")) cut++;
    } else refused++;
  }
  // The sample reaches every branch: lines the app writes as is, cut lines, refusals.
  assert.ok(cleanCount > 50 && cut > 50 && refused > 50, `clean ${cleanCount}, cut ${cut}, refused ${refused}`);
});

test("every accepted entry reads back: the same tags and message, escaped, as written", () => {
  let checked = 0;
  fc.assert(
    fc.property(entryArb, (c) => {
      let line: string;
      try {
        line = formatLogLine(entryOf(c));
      } catch (err) {
        assert.ok(err instanceof ValidationError);
        return;
      }
      const parsed = parseLogLine(line);
      assert.ok(typeof parsed === "object", line);
      assert.equal(parsed.timestamp, `${c.at.toISOString().slice(0, 19)}Z`);
      assert.equal(parsed.time, Math.floor(c.at.getTime() / 1000) * 1000);
      assert.equal(parsed.level, c.level);
      const given = Object.fromEntries((["host", "equip", "proj", "kind", "run"] as const).filter((k) => c[k] !== undefined).map((k) => [k, escapeLogText(c[k] ?? "")]));
      const message = escapeLogText(c.message);
      const tags = Object.entries(given).map(([k, v]) => `[${k}:${v}] `).join("");
      const prefix = `${parsed.timestamp} [${c.level.padEnd(5)}] ${tags}`;
      if (bytes(prefix) + bytes(message) <= 1024) {
        // Not cut: all of it comes back (a message ending in the marker reads as cut, the marker aside).
        assert.deepEqual(parsed.tags, given, line);
        assert.equal(parsed.message + (parsed.truncated ? "...[truncated]" : ""), message, line);
        checked++;
      } else if (bytes(prefix) < 1010) {
        // Cut in the message: the tags whole, the message's start.
        assert.deepEqual(parsed.tags, given, line);
        assert.ok(message.startsWith(parsed.message), line);
      }
    }),
    { numRuns: 1000 },
  );
  assert.ok(checked > 200, `${checked} lines read back`);
});

test("a tag cannot be forged: `]` in a tag value and a message opening with a tag are refused; so are unknown fields", () => {
  const refused = (entry: unknown): string[] => {
    try {
      formatLogLine(entry as LogEntryInput);
    } catch (err) {
      assert.ok(err instanceof ValidationError);
      assert.equal(err.code, "validation_failed");
      return err.issues.map((i) => i.path);
    }
    assert.fail("accepted");
  };
  assert.deepEqual(refused({ at: AT, level: "INFO", message: "m", run: "Run_X] [run:Run_2026-04-17T14-32" }), ["run"]);
  assert.deepEqual(refused({ at: AT, level: "INFO", message: "m", proj: "P] [kind:test", equip: "E]" }), ["equip", "proj"]);
  assert.deepEqual(refused({ at: AT, level: "INFO", equip: "E", message: "[run:Run_2026-04-17T14-32] done" }), ["message"]);
  assert.deepEqual(refused({ at: AT, level: "INFO", message: "m", equipment: "E", runn: "R", tags: {} }), ["equipment", "runn", "tags"]);
  // `[` alone cannot close a tag, and a bracket inside the message is the app's text: both kept.
  assert.equal(formatLogLine({ at: AT, level: "INFO", run: "R[1", message: "x [run:R] y]" }), "2026-04-17T14:32:05Z [INFO ] [run:R[1] x [run:R] y]");
});

test("parseLogLine accepts the app's lines, foreign levels, CRLF and truncated lines, and classifies the rest", () => {
  assert.deepEqual(parseLogLine("2026-04-17T14:32:05Z [CRITICAL] [host:labpc] boom\r"), {
    timestamp: "2026-04-17T14:32:05Z",
    time: Date.parse("2026-04-17T14:32:05Z"),
    level: "CRITICAL",
    tags: { host: "labpc" },
    message: "boom",
    truncated: false,
  });
  assert.deepEqual(parseLogLine("2026-04-17T14:32:05Z [DEBUG] "), { timestamp: "2026-04-17T14:32:05Z", time: Date.parse("2026-04-17T14:32:05Z"), level: "DEBUG", tags: {}, message: "", truncated: false });
  const cut = parseLogLine(`2026-04-17T14:32:05Z [INFO ] [proj:${"p".repeat(975)}...[truncated]`);
  assert.ok(typeof cut === "object" && cut.truncated && cut.tags.proj === "p".repeat(975) && cut.message === "");
  assert.equal(parseLogLine('  File "x.py", line 3'), "continuation");
  assert.equal(parseLogLine(""), "continuation");
  assert.equal(parseLogLine("2026-02-30T14:32:05Z [INFO ] x"), "malformed");
  assert.equal(parseLogLine("2026-04-17T14:32:05Z INFO x"), "malformed");
  assert.equal(parseLogLine("2026-04-17T14:32:05Z [INFO ]x"), "malformed");
  assert.equal(parseLogLine("2026-04-17T14:32:05Z [ ] x"), "malformed");
});
