/**
 * Splitting a byte stream into physical lines, bounded: a line longer than
 * the cap is handed out cut at the cap (on a character boundary) and the
 * rest of it skipped without being kept, so no input makes memory grow past
 * one chunk and one capped line.
 *
 * Lines that lie wholly inside a chunk are decoded straight from it (no
 * copy); only a line that spans chunks is gathered in a carry buffer. The
 * run of whole lines in a chunk is checked for ASCII, then for UTF-8, once,
 * so a chunk of valid text costs no per-line check.
 */
import { isAscii, isUtf8 } from "node:buffer";

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

/** How a run of bytes is known to decode. */
const enum Text {
  Ascii,
  Utf8,
  Unknown,
}

/** Feeds chunks in, takes lines out. */
export class LineSplitter {
  readonly #cap: number;
  /** The start of a line that spans chunks: at most `cap + 4` bytes (4 more: enough to see where a character ends). */
  #carry: Buffer = Buffer.alloc(0);
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

  /** The lines that `chunk` completes (`chunk` may be reused by the caller afterwards). */
  push(chunk: Buffer): PhysicalLine[] {
    const out: PhysicalLine[] = [];
    let nl = chunk.indexOf(0x0a);
    let start = 0;
    if (nl >= 0 && this.partial) {
      this.#keep(chunk, 0, nl);
      out.push(this.#takeCarry());
      start = nl + 1;
      nl = chunk.indexOf(0x0a, start);
    }
    if (nl >= 0) {
      const whole = chunk.subarray(start, chunk.lastIndexOf(0x0a));
      const known = isAscii(whole) ? Text.Ascii : isUtf8(whole) ? Text.Utf8 : Text.Unknown;
      do {
        out.push(this.#line(chunk, start, nl, known));
        start = nl + 1;
        nl = chunk.indexOf(0x0a, start);
      } while (nl >= 0);
    }
    this.#keep(chunk, start, chunk.length);
    return out;
  }

  /** The last line, when the input ended without a newline. */
  end(): PhysicalLine | undefined {
    return this.partial ? this.#takeCarry() : undefined;
  }

  /** Forget any partial line (the file was truncated or replaced). */
  reset(): void {
    this.#size = 0;
    this.#cut = false;
  }

  /** The line `bytes[start, end)`, cut at the cap and without a final `\r`. */
  #line(bytes: Buffer, start: number, end: number, known: Text): PhysicalLine {
    let e = end;
    const cut = e - start > this.#cap;
    if (cut) {
      // Back off to the first byte of the character cut at the cap.
      e = start + this.#cap;
      while (e > start && ((bytes[e] ?? 0) & 0xc0) === 0x80) e--;
    } else if (e > start && bytes[e - 1] === 0x0d) {
      e--;
    }
    // A piece of valid UTF-8 cut at a character boundary or before a `\r` is valid UTF-8.
    const text = known === Text.Ascii ? bytes.toString("latin1", start, e) : bytes.toString("utf8", start, e);
    const invalidUtf8 = known === Text.Unknown && !isUtf8(bytes.subarray(start, e));
    this.#number++;
    return { text, number: this.#number, cut, invalidUtf8 };
  }

  #keep(bytes: Buffer, start: number, end: number): void {
    if (end <= start) return;
    const room = this.#cap + 4 - this.#size;
    if (room <= 0) {
      this.#cut = true;
      return;
    }
    if (end - start > room) this.#cut = true;
    const n = Math.min(room, end - start);
    if (this.#size + n > this.#carry.length) {
      // Grown as needed, never past the bound: a huge cap costs nothing until a long line comes.
      const bigger = Buffer.allocUnsafe(Math.min(this.#cap + 4, Math.max(this.#size + n, this.#carry.length * 2, 256)));
      this.#carry.copy(bigger, 0, 0, this.#size);
      this.#carry = bigger;
    }
    bytes.copy(this.#carry, this.#size, start, start + n);
    this.#size += n;
  }

  #takeCarry(): PhysicalLine {
    // Whenever bytes were skipped the carry is full (cap + 4 bytes), so the
    // line comes out cut by the same test as a line inside a chunk.
    const line = this.#line(this.#carry, 0, this.#size, Text.Unknown);
    this.reset();
    return line;
  }
}
