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

const STAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z/;
const LEVEL = /^ \[([^\]]*)\]/;

/** Milliseconds for a timestamp's fields, or undefined when they name no instant. */
function instant(m: RegExpExecArray): number | undefined {
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, 0);
  const ok = date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d && date.getUTCHours() === h && date.getUTCMinutes() === mi;
  return ok && s < 60 && y > 0 ? date.getTime() : undefined;
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
  const stamp = STAMP.exec(text);
  if (stamp === null) return "continuation";
  const time = instant(stamp);
  const level = LEVEL.exec(text.slice(20));
  if (time === undefined || level === null) return "malformed";
  const name = (level[1] ?? "").trimEnd();
  let rest = text.slice(20 + level[0].length);
  if (name.length === 0 || name !== name.trimStart() || (rest.length > 0 && !rest.startsWith(" "))) return "malformed";
  rest = rest.slice(1);
  const truncated = rest.endsWith(LOG_TRUNCATION_MARKER);
  if (truncated) rest = rest.slice(0, -LOG_TRUNCATION_MARKER.length);
  const { tags, message } = splitTags(rest, truncated);
  return { timestamp: stamp[0], time, level: name, tags, message, truncated };
}
