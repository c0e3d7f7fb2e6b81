/**
 * One line of a `wizard.<host>.log` activity log, written exactly as the
 * application writes it (cache-family §7.2–7.3) except for one deliberate
 * difference: control characters and line separators in the message and in
 * tag values are escaped, so one entry is always one physical line; and
 * what would read back as another tag (`]` in a tag value, a message
 * opening with a tag) is refused.
 *
 * @module
 */
import { ValidationError, type ValidationIssue } from "../errors.js";

/** The application's cap on a line, in UTF-8 bytes, not counting its newline. */
export const LOG_LINE_MAX_BYTES = 1024;

/** What ends a line that was cut to {@link LOG_LINE_MAX_BYTES}. */
export const LOG_TRUNCATION_MARKER = "...[truncated]";

/** The tags a line may carry, in the order they are written. */
export const LOG_TAG_NAMES = ["host", "equip", "proj", "kind", "run"] as const;

/** One of {@link LOG_TAG_NAMES}. */
export type LogTagName = (typeof LOG_TAG_NAMES)[number];

/** Tag values by name; an absent tag is not written, an empty one is (`[host:]`). */
export type LogTags = { [K in LogTagName]?: string };

/** What {@link formatLogLine} writes: one event. */
export interface LogEntryInput {
  /** When it happened; written in UTC, truncated to the second. Years 1000–9999. */
  at: Date;
  /**
   * `INFO`, `WARN`, `DEBUG`, `ERROR` or another word of 1–16 printable
   * ASCII characters without spaces or brackets; padded to 5, never cut.
   */
  level: string;
  /** The message; `""` leaves the line's trailing space, as the app does. */
  message: string;
  /** `[host:<v>]`: the host that did it (the app writes none). */
  host?: string | null | undefined;
  /** `[equip:<v>]`: the equipment id. */
  equip?: string | null | undefined;
  /** `[proj:<v>]`: the project folder name. */
  proj?: string | null | undefined;
  /** `[kind:<v>]`: `test` or `experimental`, or any other word. */
  kind?: string | null | undefined;
  /** `[run:<v>]`: the run folder name. */
  run?: string | null | undefined;
}

// C0 controls (tab included), DEL, C1 controls (NEL included), U+2028, U+2029.
// (\p{Cc} is exactly U+0000-001F and U+007F-009F.)
const ESCAPED = /[\p{Cc}\u2028\u2029]/gu;
const NAMED: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const LEVEL = /^[\x21-\x5a\x5c\x5e-\x7e]{1,16}$/;
const MARKER_BYTES = Buffer.byteLength(LOG_TRUNCATION_MARKER);
/** What is left for the line before the marker when it must be cut (1010). */
const BUDGET = LOG_LINE_MAX_BYTES - MARKER_BYTES;

/**
 * `text` with every C0 control, DEL, C1 control, U+2028 and U+2029 written
 * as `\n`, `\r`, `\t`, `\xHH` or `\uHHHH`. Everything else, backslashes
 * included, is left as it is: the escape is one-way (a `\n` already in a
 * message reads back the same as an escaped newline), chosen so that a line
 * without those characters is byte-identical to the application's.
 *
 * @example
 * ```ts
 * escapeLogText("a\nb\tC:\\data"); // "a\\nb\\tC:\\data" (the backslash stays single)
 * ```
 */
export function escapeLogText(text: string): string {
  return text.replace(ESCAPED, (c) => {
    const named = NAMED[c];
    if (named !== undefined) return named;
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

function describe(value: unknown): string {
  if (typeof value === "string") return `\`${JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value).slice(1, -1)}\``;
  if (value instanceof Date) return "an invalid Date";
  return value === null ? "null" : value === undefined ? "missing" : `a ${typeof value}`;
}

function issue(path: string, expected: string, value: unknown, why?: string): ValidationIssue {
  const received = describe(value);
  return { path, expected, received, message: `Expected \`${path}\` to be ${expected}, got ${received}${why === undefined ? "" : ` (${why})`}` };
}

function checkText(path: string, value: unknown, optional: boolean, issues: ValidationIssue[]): void {
  if (optional && (value === undefined || value === null)) return;
  if (typeof value !== "string") issues.push(issue(path, optional ? "a string, null or absent" : "a string", value));
  else if (LONE_SURROGATE.test(value)) issues.push(issue(path, "text without lone surrogates", value, "it cannot be written as UTF-8"));
}

const FIELDS: ReadonlySet<string> = new Set(["at", "level", "message", ...LOG_TAG_NAMES]);
/** A message opening like a tag would read back as one when that tag is absent. */
const OPENS_WITH_TAG = new RegExp(`^\\[(?:${LOG_TAG_NAMES.join("|")}):`);

/** Every problem with `entry`, in field order, then its unknown fields. */
function entryIssues(entry: LogEntryInput): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const { at, level } = entry;
  if (!(at instanceof Date) || Number.isNaN(at.getTime())) issues.push(issue("at", "a valid Date", at));
  else if (at.getUTCFullYear() < 1000 || at.getUTCFullYear() > 9999) {
    issues.push(issue("at", "a Date in years 1000-9999", at.toISOString(), "outside four-digit years"));
  }
  if (typeof level !== "string" || !LEVEL.test(level)) {
    issues.push(issue("level", "1-16 printable ASCII characters without spaces or brackets", level));
  }
  checkText("message", entry.message, false, issues);
  if (typeof entry.message === "string" && OPENS_WITH_TAG.test(entry.message)) {
    issues.push(issue("message", "text that does not open with a tag", entry.message, "it would read back as a tag"));
  }
  for (const name of LOG_TAG_NAMES) {
    const value = entry[name];
    checkText(name, value, true, issues);
    if (typeof value === "string" && value.includes("]")) issues.push(issue(name, "a value without `]`", value, "the format cannot escape it: it would close the tag"));
  }
  for (const key of Object.keys(entry)) {
    if (!FIELDS.has(key)) issues.push({ path: key, expected: "no such field", received: describe((entry as unknown as Record<string, unknown>)[key]), message: `Unknown log entry field \`${key}\`` });
  }
  return issues;
}

/** The first `limit` bytes of UTF-8 `bytes` as text, dropping a character cut in half. */
function cutUtf8(bytes: Buffer, limit: number): string {
  let end = Math.min(limit, bytes.length);
  // A continuation byte (10xxxxxx) right after the cut means a character
  // straddles it: back off to that character's first byte.
  if (end < bytes.length) while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.toString("utf8", 0, end);
}

/**
 * The line for `entry`, without its newline, as the application's
 * `format_log_line` writes it:
 * `<YYYY-MM-DDTHH:MM:SSZ> [<LEVEL padded to 5>] [host:…] [equip:…] [proj:…] [kind:…] [run:…] <message>`,
 * each tag only when given (an empty string still renders), at most 1024
 * UTF-8 bytes: a longer line keeps its prefix and the first bytes of the
 * message that fit in 1010, cut on a character boundary, then
 * `...[truncated]`; a prefix of 1010 bytes or more is itself cut and the
 * message lost. Control characters and line separators in the message and
 * tag values are escaped first ({@link escapeLogText}), so the result is
 * always one line; without them it is byte-identical to the application's.
 *
 * @throws {@link ValidationError} (`validation_failed`, every problem listed)
 *   for an invalid date or one outside years 1000–9999, a level that is not
 *   a word of printable ASCII, a non-string message or tag, a lone
 *   surrogate anywhere (it has no UTF-8 form; the application raises too),
 *   a `]` in a tag value or a message opening with `[host:`, `[equip:`,
 *   `[proj:`, `[kind:` or `[run:` (the format has no escape for them: they
 *   would read back as other tags), or a field that is not one of
 *   {@link LogEntryInput}'s (a typo would otherwise drop a tag silently).
 * @example
 * ```ts
 * formatLogLine({ at: new Date("2026-04-17T14:32:05.900Z"), level: "INFO", equip: "CONFOCAL_01", message: "creation completed" });
 * // "2026-04-17T14:32:05Z [INFO ] [equip:CONFOCAL_01] creation completed"
 * ```
 */
export function formatLogLine(entry: LogEntryInput): string {
  if (typeof entry !== "object" || entry === null) throw new ValidationError([issue("entry", "an object", entry)], { what: "log entry" });
  const issues = entryIssues(entry);
  if (issues.length > 0) throw new ValidationError(issues, { what: "log entry" });
  const tags: string[] = [];
  for (const name of LOG_TAG_NAMES) {
    const value = entry[name];
    if (typeof value === "string") tags.push(`[${name}:${escapeLogText(value)}]`);
  }
  const stamp = `${entry.at.toISOString().slice(0, 19)}Z`;
  const prefix = `${stamp} [${entry.level.padEnd(5)}] ${tags.length > 0 ? `${tags.join(" ")} ` : ""}`;
  const message = escapeLogText(entry.message);
  const head = Buffer.from(prefix, "utf8");
  const body = Buffer.from(message, "utf8");
  if (head.length + body.length <= LOG_LINE_MAX_BYTES) return prefix + message;
  if (head.length >= BUDGET) return cutUtf8(head, BUDGET) + LOG_TRUNCATION_MARKER;
  return prefix + cutUtf8(body, BUDGET - head.length) + LOG_TRUNCATION_MARKER;
}
