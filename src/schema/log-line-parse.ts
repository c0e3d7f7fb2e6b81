/**
 * Reading one physical line of a `wizard.<host>.log` back: the timestamp,
 * the level, the tags and the message, as written by the application, by
 * its logging handler, or by us. Nothing is un-escaped: the escape is
 * one-way, so the text is handed back as it is on disk.
 *
 * @module
 */
import { LOG_TRUNCATION_MARKER, type LogTags } from "./log-line.js";
import { epochDay } from "./_isotime.js";

/** A line that starts with a timestamp and a level. */
export interface ParsedLogLine {
  /** The timestamp as written: `2026-04-17T14:32:05Z`. */
  timestamp: string;
  /** The same instant, in milliseconds since the epoch. */
  time: number;
  /** The level without its padding: `INFO`, `WARNING`... */
  level: string;
  /** The tags found at the head of the line, in their order. */
  tags: LogTags;
  /** The rest of the line (without the truncation marker when there is one). */
  message: string;
  /**
   * The line ends with `...[truncated]`: a writer cut it to 1024 bytes. (A
   * message that itself ends with those characters reads the same.)
   */
  truncated: boolean;
}

/** How a line that is not an entry's first line is classified. */
export type UnparsedLine = "continuation" | "malformed";

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** The `]` closing the level must come within this many characters after the `[`. */
const MAX_LEVEL = 64;
/** The levels writers pad, as written between the brackets: a match costs no new string. */
const COMMON_LEVELS = ["INFO ", "WARN ", "ERROR", "DEBUG", "WARNING", "CRITICAL"].map((raw) => [raw, raw.trimEnd()] as const);

/** The two-digit number at `at`, or -1. */
function two(t: string, at: number): number {
  const a = t.charCodeAt(at) - 48;
  const b = t.charCodeAt(at + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** Not the shape `DDDD-DD-DDTDD:DD:DDZ`: the line continues an entry. */
const UNSHAPED = -1;
/** The shape, but no instant (month 13, 30 February...). */
const NO_INSTANT = -2;

/** The last valid date seen (`YYYY-MM-DD`), and its midnight in ms. */
let lastDay = "\0";
let lastDayMs = 0;

/**
 * The instant `t` starts with as `DDDD-DD-DDTDD:DD:DDZ`, in ms, or
 * {@link UNSHAPED} / {@link NO_INSTANT}. Hand-written rather than a regular
 * expression and a Date, and returning a number rather than an object: it
 * runs once per line of logs that reach hundreds of megabytes.
 */
function stamp(t: string): number {
  if (t.charCodeAt(4) !== 0x2d || t.charCodeAt(7) !== 0x2d || t.charCodeAt(10) !== 0x54 || t.charCodeAt(13) !== 0x3a || t.charCodeAt(16) !== 0x3a || t.charCodeAt(19) !== 0x5a) {
    return UNSHAPED;
  }
  const h = two(t, 11);
  const mi = two(t, 14);
  const s = two(t, 17);
  if (h < 0 || mi < 0 || s < 0) return UNSHAPED;
  // Consecutive lines mostly share their day: the date is parsed once per day seen.
  if (!t.startsWith(lastDay)) {
    const day = dayOf(t);
    if (day === UNSHAPED) return UNSHAPED;
    if (day === NO_INSTANT) return NO_INSTANT;
    lastDay = t.slice(0, 10);
    lastDayMs = day;
  }
  if (h > 23 || mi > 59 || s > 59) return NO_INSTANT;
  return lastDayMs + h * 3_600_000 + mi * 60_000 + s * 1000;
}

/** Midnight UTC of the date `YYYY-MM-DD` at the start of `t`, in ms, or {@link UNSHAPED} / {@link NO_INSTANT}. */
function dayOf(t: string): number {
  const hi = two(t, 0);
  const lo = two(t, 2);
  const mo = two(t, 5);
  const d = two(t, 8);
  if (hi < 0 || lo < 0 || mo < 0 || d < 0) return UNSHAPED;
  const y = hi * 100 + lo;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const days = mo === 2 && leap ? 29 : (DAYS[mo - 1] ?? 0);
  if (y === 0 || mo < 1 || mo > 12 || d < 1 || d > days) return NO_INSTANT;
  return epochDay(y, mo, d) * 86_400_000;
}

/** The level between `[` at 21 and `]` at `close`, without its padding. */
function levelName(text: string, close: number): string {
  for (const [raw, name] of COMMON_LEVELS) if (close - 22 === raw.length && text.startsWith(raw, 22)) return name;
  return text.slice(22, close).trimEnd();
}

/** The value of the tag {@link tagAt} last read (a variable rather than a result object: one allocation fewer per tag). */
let tagValue = "";
/** No such tag at this position: try the next name. */
const NO_TAG = -1;
/** The tag does not close: it and the rest are message. */
const STOP = -2;

/**
 * The tag opened by `open` (`[host:`) at `at` in `text` up to `end`
 * (before the truncation marker, if any): the position after it, with its
 * value in {@link tagValue}; or {@link NO_TAG} / {@link STOP}. A value ends
 * at the first `]` followed by a space or by `end`: a value holding `] `
 * cannot be told apart (the application does not escape it) and is split
 * there.
 */
function tagAt(text: string, at: number, end: number, open: string, truncated: boolean): number {
  if (end - at < open.length || text.charCodeAt(at) !== 0x5b || !text.startsWith(open, at)) return NO_TAG;
  const value = at + open.length;
  const close = text.indexOf("] ", value);
  if (close >= 0 && close + 2 <= end) {
    tagValue = text.slice(value, close);
    return close + 2;
  }
  if (text.charCodeAt(end - 1) === 0x5d) {
    tagValue = text.slice(value, end - 1);
    return end;
  }
  if (truncated) {
    // The prefix alone passed the cap: the marker cut this tag short.
    tagValue = text.slice(value, end);
    return end;
  }
  return STOP;
}

/**
 * Parse one physical line (without its line ending; a trailing `\r` is
 * dropped). A line that starts with `YYYY-MM-DDTHH:MM:SSZ [LEVEL]` is an
 * entry; one without a timestamp is `"continuation"` (the rest of a
 * multi-line message, a traceback); one with a timestamp that names no real
 * instant, or without a level after it, is `"malformed"`. Never throws, and
 * takes time linear in the line's length.
 *
 * @example
 * ```ts
 * parseLogLine("2026-04-17T14:32:05Z [WARNING] [equip:E] disk low");
 * // { timestamp: "2026-04-17T14:32:05Z", time: 1776436325000, level: "WARNING",
 * //   tags: { equip: "E" }, message: "disk low", truncated: false }
 * parseLogLine("Traceback (most recent call last):"); // "continuation"
 * ```
 */
export function parseLogLine(line: string): ParsedLogLine | UnparsedLine {
  const text = line.charCodeAt(line.length - 1) === 0x0d ? line.slice(0, -1) : line;
  const time = stamp(text);
  if (time === UNSHAPED) return "continuation";
  // ` [LEVEL]`: the first `]` closes it, and must come soon.
  const close = text.charCodeAt(20) === 0x20 && text.charCodeAt(21) === 0x5b ? text.indexOf("]", 22) : -1;
  if (time === NO_INSTANT || close < 0 || close >= 22 + MAX_LEVEL) return "malformed";
  const name = levelName(text, close);
  let from = close + 1;
  const end0 = text.length;
  if (name.length === 0 || name !== name.trimStart() || (from < end0 && text.charCodeAt(from) !== 0x20)) return "malformed";
  if (from < end0) from++;
  const truncated = end0 - from >= LOG_TRUNCATION_MARKER.length && text.endsWith(LOG_TRUNCATION_MARKER);
  const end = truncated ? end0 - LOG_TRUNCATION_MARKER.length : end0;
  // The tags, in the order of LOG_TAG_NAMES, each stored under its own
  // name (one property store per name keeps the object's shape stable).
  const tags: LogTags = {};
  let next: number;
  if ((next = tagAt(text, from, end, "[host:", truncated)) >= 0) {
    tags.host = tagValue;
    from = next;
  }
  if (next !== STOP && (next = tagAt(text, from, end, "[equip:", truncated)) >= 0) {
    tags.equip = tagValue;
    from = next;
  }
  if (next !== STOP && (next = tagAt(text, from, end, "[proj:", truncated)) >= 0) {
    tags.proj = tagValue;
    from = next;
  }
  if (next !== STOP && (next = tagAt(text, from, end, "[kind:", truncated)) >= 0) {
    tags.kind = tagValue;
    from = next;
  }
  if (next !== STOP && (next = tagAt(text, from, end, "[run:", truncated)) >= 0) {
    tags.run = tagValue;
    from = next;
  }
  return { timestamp: text.slice(0, 20), time, level: name, tags, message: text.slice(from, end), truncated };
}
