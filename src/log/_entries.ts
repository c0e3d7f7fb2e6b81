/**
 * Grouping physical lines into records: a line with a timestamp starts an
 * entry, lines without one continue it (within a bound), anything else is
 * raw. The order key of a raw record is the time of the entry before it in
 * the same file, so merging files keeps it where it was.
 */
import { parseLogLine } from "../schema/log-line-parse.js";
import type { LogRecord } from "./entry.js";
import type { PhysicalLine } from "./_lines.js";

/** How much text continuation lines may add to one record. */
export const MAX_CONTINUATION_BYTES = 1 << 20;

/** A record with the key it is merged by. */
export interface Keyed {
  record: LogRecord;
  /** Milliseconds; -Infinity before the file's first timestamp. */
  key: number;
}

/** One file's lines in, its records out. */
export class EntryAssembler {
  readonly #host: string;
  readonly #file: string;
  #pending: Keyed | undefined;
  #pendingBytes = 0;
  #lastTime = Number.NEGATIVE_INFINITY;

  constructor(host: string, file: string) {
    this.#host = host;
    this.#file = file;
  }

  /** The records `line` completes (zero or one; two when a raw line follows a pending entry). */
  push(line: PhysicalLine): Keyed[] {
    const out: Keyed[] = [];
    const parsed = line.cut ? "overlong" : parseLogLine(line.text);
    if (parsed === "continuation" && this.#pending !== undefined && this.#pendingBytes + line.text.length <= MAX_CONTINUATION_BYTES) {
      this.#pending.record.continuation.push(line.text);
      this.#pending.record.invalidUtf8 ||= line.invalidUtf8;
      this.#pendingBytes += line.text.length;
      return out;
    }
    const done = this.flush();
    if (done !== undefined) out.push(done);
    const base = { host: this.#host, file: this.#file, line: line.number, tags: {}, continuation: [], text: line.text, invalidUtf8: line.invalidUtf8 };
    if (typeof parsed === "object") {
      this.#lastTime = parsed.time;
      const { timestamp, time, level, tags, message, truncated } = parsed;
      this.#pending = { record: { kind: "entry", ...base, timestamp, time, level, tags, message, truncated }, key: time };
    } else {
      const reason = parsed === "continuation" ? "orphan_continuation" : parsed;
      this.#pending = { record: { kind: "raw", reason, ...base, message: line.text, truncated: false }, key: this.#lastTime };
    }
    this.#pendingBytes = 0;
    return out;
  }

  /** The record still open, if any (at the end of the input, or when a follower gives up waiting for more). */
  flush(): Keyed | undefined {
    const done = this.#pending;
    this.#pending = undefined;
    return done;
  }

  /** A raw record for a file that could not be read. */
  unreadable(why: string): Keyed {
    const record: LogRecord = { kind: "raw", reason: "unreadable", host: this.#host, file: this.#file, line: 0, tags: {}, message: why, continuation: [], truncated: false, text: "", invalidUtf8: false };
    return { record, key: this.#lastTime };
  }
}
