/**
 * Reading one physical line of a `wizard.<host>.log` back: the timestamp,
 * the level, the tags and the message, as written by the application, by
 * its logging handler, or by us. Nothing is un-escaped: the escape is
 * one-way, so the text is handed back as it is on disk.
 *
 * @module
 */
import { LOG_TAG_NAMES, LOG_TRUNCATION_MARKER, type LogTags } from "./log-line.js";

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

const LEVEL = /^ \[([^\]]*)\]/;
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The two-digit number at `at`, or -1. */
function two(t: string, at: number): number {
  const a = t.charCodeAt(at) - 48;
  const b = t.charCodeAt(at + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * Whether `t` starts with the shape `DDDD-DD-DDTDD:DD:DDZ`, and the instant
 * it names (undefined when the fields name none: month 13, 30 February...).
 * Hand-written rather than a regular expression and a Date: it runs once
 * per line of logs that reach hundreds of megabytes.
 */
function stamp(t: string): { shaped: boolean; time: number | undefined } {
  const hi = two(t, 0);
  const lo = two(t, 2);
  const mo = two(t, 5);
  const d = two(t, 8);
  const h = two(t, 11);
  const mi = two(t, 14);
  const s = two(t, 17);
  const shaped =
    hi >= 0 && lo >= 0 && mo >= 0 && d >= 0 && h >= 0 && mi >= 0 && s >= 0 &&
    t[4] === "-" && t[7] === "-" && t[10] === "T" && t[13] === ":" && t[16] === ":" && t[19] === "Z";
  if (!shaped) return { shaped, time: undefined };
  const y = hi * 100 + lo;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const days = mo === 2 && leap ? 29 : (DAYS[mo - 1] ?? 0);
  if (y === 0 || mo < 1 || mo > 12 || d < 1 || d > days || h > 23 || mi > 59 || s > 59) return { shaped, time: undefined };
  let time = Date.UTC(y, mo - 1, d, h, mi, s);
  // Date.UTC reads years 0-99 as 1900-1999.
  if (y < 100) time = Date.UTC(y + 400, mo - 1, d, h, mi, s) - 12_622_780_800_000;
  return { shaped, time };
}

/**
 * The tags at the head of `text` (after the level and its space) and the
 * message after them. A tag value ends at the first `]` followed by a space
 * or by the end of the line: a value holding `] ` cannot be told apart (the
 * application does not escape it) and is split there.
 */
function splitTags(text: string, truncated: boolean): { tags: LogTags; message: string } {
  const tags: LogTags = {};
  let rest = text;
  for (const name of LOG_TAG_NAMES) {
    const open = `[${name}:`;
    if (!rest.startsWith(open)) continue;
    const close = rest.indexOf("] ", open.length);
    if (close >= 0) {
      tags[name] = rest.slice(open.length, close);
      rest = rest.slice(close + 2);
    } else if (rest.endsWith("]")) {
      tags[name] = rest.slice(open.length, -1);
      rest = "";
    } else if (truncated) {
      // The prefix alone passed the cap: the marker cut this tag short.
      tags[name] = rest.slice(open.length);
      rest = "";
    } else {
      break;
    }
  }
  return { tags, message: rest };
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
  const text = line.endsWith("\r") ? line.slice(0, -1) : line;
  const { shaped, time } = stamp(text);
  if (!shaped) return "continuation";
  const level = text.charCodeAt(20) === 0x20 ? LEVEL.exec(text.slice(20, 20 + 2 + 64)) : null;
  if (time === undefined || level === null) return "malformed";
  const name = (level[1] ?? "").trimEnd();
  let rest = text.slice(20 + level[0].length);
  if (name.length === 0 || name !== name.trimStart() || (rest.length > 0 && !rest.startsWith(" "))) return "malformed";
  rest = rest.slice(1);
  const truncated = rest.endsWith(LOG_TRUNCATION_MARKER);
  if (truncated) rest = rest.slice(0, -LOG_TRUNCATION_MARKER.length);
  const { tags, message } = splitTags(rest, truncated);
  return { timestamp: text.slice(0, 20), time, level: name, tags, message, truncated };
}
