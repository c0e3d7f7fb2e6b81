/**
 * Grouping physical lines into records: a line with a timestamp starts an
 * entry, lines without one continue it (within a bound), anything else is
 * raw. The order key of a raw record is the time of the entry before it in
 * the same file, so merging files keeps it where it was.
 */
import { parseLogLine } from "../schema/log-line-parse.js";
import type { LogRecord } from "./entry.js";
import type { PhysicalLine } from "./_lines.js";

/** How much text (UTF-8 bytes) continuation lines may add to one record. */
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

  /** Add to `out` the records `line` completes (none, or the one it ends). */
  push(line: PhysicalLine, out: Keyed[]): void {
    const parsed = line.cut ? "overlong" : parseLogLine(line.text);
    const size = parsed === "continuation" ? Buffer.byteLength(line.text) : 0;
    if (parsed === "continuation" && this.#pending !== undefined && this.#pendingBytes + size <= MAX_CONTINUATION_BYTES) {
      this.#pending.record.continuation.push(line.text);
      this.#pending.record.invalidUtf8 ||= line.invalidUtf8;
      this.#pendingBytes += size;
      return;
    }
    const done = this.flush();
    if (done !== undefined) out.push(done);
    const host = this.#host;
    const file = this.#file;
    const { text, number, invalidUtf8 } = line;
    if (typeof parsed === "object") {
      this.#lastTime = parsed.time;
      const { timestamp, time, level, tags, message, truncated } = parsed;
      const record: LogRecord = { kind: "entry", host, file, line: number, timestamp, time, level, tags, message, continuation: [], truncated, text, invalidUtf8 };
      this.#pending = { record, key: time };
    } else {
      const reason = parsed === "continuation" ? "orphan_continuation" : parsed;
      const record: LogRecord = { kind: "raw", reason, host, file, line: number, tags: {}, message: text, continuation: [], truncated: false, text, invalidUtf8 };
      this.#pending = { record, key: this.#lastTime };
    }
    this.#pendingBytes = 0;
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
