/**
 * One followed log file: its descriptor, where reading got to, which file
 * (device and inode) it is, and the line and entry state between reads.
 */
import type { FileHandle } from "node:fs/promises";
import { errnoCode } from "../errors.js";
import { EntryAssembler, type Keyed } from "./_entries.js";
import { LineSplitter } from "./_lines.js";
import { openLog } from "./_open.js";

/** Read settings shared by every tail. */
export interface TailSettings {
  maxLineBytes: number;
  chunkBytes: number;
}

/** A followed file (see the module comment). */
export class Tail {
  /** The host part of the file name. */
  readonly host: string;
  /** The file's path. */
  readonly path: string;
  readonly #fh: FileHandle;
  /** Device and inode of the file opened: a different pair at `path` means it was replaced. */
  readonly dev: number;
  readonly ino: number;
  readonly #settings: TailSettings;
  readonly #splitter: LineSplitter;
  readonly #assembler: EntryAssembler;
  #pos = 0;
  /** Whether the last {@link drain} found new bytes. */
  grew = false;

  private constructor(host: string, path: string, fh: FileHandle, dev: number, ino: number, settings: TailSettings) {
    this.host = host;
    this.path = path;
    this.#fh = fh;
    this.dev = dev;
    this.ino = ino;
    this.#settings = settings;
    this.#splitter = new LineSplitter(settings.maxLineBytes);
    this.#assembler = new EntryAssembler(host, path);
  }

  /** Open `path`, or the raw record that says why it cannot be read. */
  static async open(host: string, path: string, settings: TailSettings): Promise<Tail | Keyed> {
    try {
      const fh = await openLog(path);
      const st = await fh.stat();
      return new Tail(host, path, fh, st.dev, st.ino, settings);
    } catch (err) {
      const code = errnoCode(err);
      return new EntryAssembler(host, path).unreadable(code === "ELOOP" ? "ELOOP (a symbolic link)" : (code ?? String(err)));
    }
  }

  /** Where reading got to, in bytes. */
  get position(): number {
    return this.#pos;
  }

  /** Every record completed by the bytes from where reading got to up to the end of the file, a batch per chunk. */
  async *drain(): AsyncGenerator<Keyed[]> {
    const buffer = Buffer.allocUnsafe(this.#settings.chunkBytes);
    this.grew = false;
    for (;;) {
      let got: number;
      try {
        ({ bytesRead: got } = await this.#fh.read(buffer, 0, buffer.length, this.#pos));
      } catch (err) {
        yield [...this.finish(), this.#assembler.unreadable(errnoCode(err) ?? String(err))];
        return;
      }
      if (got === 0) return;
      this.grew = true;
      this.#pos += got;
      const batch: Keyed[] = [];
      for (const line of this.#splitter.push(buffer.subarray(0, got))) this.#assembler.push(line, batch);
      yield batch;
    }
  }

  /** The partial last line and the open entry, handed out now (the file ends, is truncated or replaced). */
  finish(): Keyed[] {
    const out: Keyed[] = [];
    const last = this.#splitter.end();
    if (last !== undefined) this.#assembler.push(last, out);
    const done = this.#assembler.flush();
    if (done !== undefined) out.push(done);
    return out;
  }

  /** The open entry, when no more lines came for it: a follower cannot wait for ever. */
  flushIdle(): Keyed | undefined {
    return this.#splitter.partial ? undefined : this.#assembler.flush();
  }

  /** Start again from the beginning of the file (it was truncated). */
  rewind(): void {
    this.#splitter.reset();
    this.#pos = 0;
  }

  /** Close the descriptor. */
  async close(): Promise<void> {
    await this.#fh.close();
  }
}
