/**
 * Splitting a byte stream into physical lines, bounded: a line longer than
 * the cap is handed out cut at the cap (on a character boundary) and the
 * rest of it skipped without being kept, so no input makes memory grow past
 * one chunk and one capped line.
 */
import { isUtf8 } from "node:buffer";

/** One physical line, without its `\n` (a `\r` before it is dropped too). */
export interface PhysicalLine {
  /** The line as text; bytes that are not UTF-8 read as U+FFFD. */
  text: string;
  /** 1-based line number in the file. */
  number: number;
  /** The line was longer than the cap: `text` is its first bytes only. */
  cut: boolean;
  /** Some bytes were not UTF-8. */
  invalidUtf8: boolean;
}

/** Back off from `end` to the first byte of a character cut there. */
function boundary(bytes: Buffer, end: number): number {
  let e = end;
  while (e > 0 && ((bytes[e] ?? 0) & 0xc0) === 0x80) e--;
  return e;
}

/** Feeds chunks in, takes lines out. */
export class LineSplitter {
  readonly #cap: number;
  #parts: Buffer[] = [];
  #size = 0;
  #cut = false;
  #number = 0;

  /** @param cap - the longest line kept whole, in bytes. */
  constructor(cap: number) {
    this.#cap = cap;
  }

  /** Whether a partial line is waiting for its end. */
  get partial(): boolean {
    return this.#size > 0 || this.#cut;
  }

  /** The lines that `chunk` completes. */
  push(chunk: Buffer): PhysicalLine[] {
    const out: PhysicalLine[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl < 0 ? chunk.length : nl;
      this.#keep(chunk.subarray(start, end));
      if (nl < 0) break;
      out.push(this.#take());
      start = nl + 1;
    }
    return out;
  }

  /** The last line, when the input ended without a newline. */
  end(): PhysicalLine | undefined {
    return this.partial ? this.#take() : undefined;
  }

  /** Forget any partial line (the file was truncated or replaced). */
  reset(): void {
    this.#parts = [];
    this.#size = 0;
    this.#cut = false;
  }

  #keep(piece: Buffer): void {
    if (piece.length === 0) return;
    const room = this.#cap + 4 - this.#size; // 4 more: enough to see where a character ends
    if (room <= 0) {
      this.#cut = true;
      return;
    }
    if (piece.length > room) this.#cut = true;
    const kept = piece.subarray(0, Math.min(room, piece.length));
    // Copy: the caller reuses its read buffer.
    this.#parts.push(Buffer.from(kept));
    this.#size += kept.length;
  }

  #take(): PhysicalLine {
    let bytes = this.#parts.length === 1 ? (this.#parts[0] as Buffer) : Buffer.concat(this.#parts, this.#size);
    let cut = this.#cut;
    if (bytes.length > this.#cap) {
      cut = true;
      bytes = bytes.subarray(0, boundary(bytes, this.#cap));
    }
    if (!cut && bytes.length > 0 && bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, -1);
    this.reset();
    this.#number++;
    return { text: bytes.toString("utf8"), number: this.#number, cut, invalidUtf8: !isUtf8(bytes) };
  }
}
