/**
 * What reading a log hands out: one entry per event, with the lines that
 * continue it, or a raw entry for what could not be read as one.
 *
 * @module
 */
import type { LogTags } from "../schema/log-line.js";

/** Why a {@link LogRecord} is raw rather than a parsed entry. */
export type RawReason =
  /** A line with a timestamp that names no instant, or no `[LEVEL]` after it. */
  | "malformed"
  /** A line without a timestamp with no entry before it to continue (the file's first line, or past the continuation bound). */
  | "orphan_continuation"
  /** A line longer than the line cap: its first bytes only. */
  | "overlong"
  /** The file could not be opened or read; `message` says why. */
  | "unreadable";

/** One event of a `wizard.<host>.log`, or one raw line. */
export interface LogRecord {
  /** `entry`: a line with a timestamp and a level; `raw`: anything else, kept as it was. */
  kind: "entry" | "raw";
  /** Set on raw records. */
  reason?: RawReason;
  /** The host part of the file name (`local` for `wizard.local.log`). */
  host: string;
  /** The file it comes from. */
  file: string;
  /** 1-based number of its first line in the file. */
  line: number;
  /** The timestamp as written (entries only). */
  timestamp?: string;
  /** The timestamp in milliseconds since the epoch (entries only). */
  time?: number;
  /** The level without padding (entries only). */
  level?: string;
  /** The tags (entries only; `{}` for raw records). */
  tags: LogTags;
  /** The message as written, escapes and all; for a raw record, its whole line. */
  message: string;
  /** Lines after it without a timestamp (a multi-line message, a traceback), as written. */
  continuation: string[];
  /** The line ends with `...[truncated]`. */
  truncated: boolean;
  /** The first physical line as read (without its line ending). */
  text: string;
  /** Some bytes of its lines were not UTF-8 (they read as U+FFFD). */
  invalidUtf8: boolean;
}
