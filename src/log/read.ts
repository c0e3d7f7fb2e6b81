/**
 * Reading every host's log in a folder as one stream, merged by time.
 *
 * @module
 */
import { readdir, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { errnoCode } from "../errors.js";
import { requirePath } from "../fs/_path.js";
import type { LogRecord } from "./entry.js";
import { EntryAssembler, type Keyed } from "./_entries.js";
import { LineSplitter } from "./_lines.js";
import { mergeKeyed } from "./_merge.js";
import { openLog } from "./_open.js";

/** A log file's name: `wizard.<host>.log`. */
export const LOG_FILE_PATTERN = /^wizard\.(.+)\.log$/;

/** The default cap on one physical line (64 KiB): longer lines are handed out cut, as raw records. */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024;

/** Options of {@link readLog}. */
export interface ReadLogOptions {
  /** The longest physical line kept whole, in bytes. @default 65536 */
  maxLineBytes?: number;
  /** How much is read from a file at a time, in bytes. @default 65536 */
  chunkBytes?: number;
  /** Stops the iteration (it then rejects with the signal's reason). */
  signal?: AbortSignal | undefined;
}

/** One log file in a folder. */
export interface LogFile {
  /** The host part of its name. */
  host: string;
  /** Its path. */
  path: string;
}

/**
 * The `wizard.<host>.log` files in `folder`, sorted by name. Only names are
 * looked at: a file that turns out not to be readable becomes an
 * `unreadable` raw record when read.
 *
 * @throws the operating-system error when the folder cannot be listed
 *   (`ENOENT`, `ENOTDIR`, `EACCES`).
 * @example
 * ```ts
 * await logFiles("/data/lab/CONFOCAL_01/.exlab-wizard"); // [{ host: "local", path: ".../wizard.local.log" }]
 * ```
 */
export async function logFiles(folder: string): Promise<LogFile[]> {
  requirePath(folder, "folder");
  const names = (await readdir(folder)).filter((n) => LOG_FILE_PATTERN.test(n)).sort();
  return names.map((n) => ({ host: LOG_FILE_PATTERN.exec(n)?.[1] ?? n, path: join(folder, n) }));
}

/** A read that failed. */
interface ReadFailure {
  err: unknown;
}

/** Every record of one file, in file order, each with its merge key. */
async function* fileRecords(file: LogFile, options: ReadLogOptions): AsyncGenerator<Keyed[]> {
  const cap = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const assembler = new EntryAssembler(file.host, file.path);
  let fh: FileHandle;
  try {
    fh = await openLog(file.path);
  } catch (err) {
    // One file that cannot be read must not hide the others.
    yield [assembler.unreadable(errnoCode(err) === "ELOOP" ? "ELOOP (a symbolic link)" : (errnoCode(err) ?? String(err)))];
    return;
  }
  const size = options.chunkBytes ?? 64 * 1024;
  // Two buffers: the next chunk is being read while this one is parsed and
  // its records handed out, so the trip to the thread pool overlaps the work.
  let buffer = Buffer.allocUnsafe(size);
  let spare = Buffer.allocUnsafe(size);
  // Settles with the count or the error, never rejects: it may fail while
  // nobody awaits it yet (the records of the chunk before are being handed out).
  let pending: Promise<number | ReadFailure> | undefined;
  const readInto = (b: Buffer): Promise<number | ReadFailure> =>
    fh.read(b, 0, b.length, null).then(
      (r) => r.bytesRead,
      (err: unknown) => ({ err }),
    );
  try {
    const splitter = new LineSplitter(cap);
    pending = readInto(buffer);
    for (;;) {
      options.signal?.throwIfAborted();
      const got = await pending;
      pending = undefined;
      if (typeof got !== "number") {
        const why = assembler.unreadable(errnoCode(got.err) ?? String(got.err));
        const done = assembler.flush();
        yield done === undefined ? [why] : [done, why];
        return;
      }
      if (got === 0) break;
      const chunk = buffer.subarray(0, got);
      // The file position moves with each read: the next one is started only after this one ended.
      pending = readInto(spare);
      const batch: Keyed[] = [];
      for (const line of splitter.push(chunk)) assembler.push(line, batch);
      [buffer, spare] = [spare, buffer];
      yield batch;
    }
    const batch: Keyed[] = [];
    const last = splitter.end();
    if (last !== undefined) assembler.push(last, batch);
    const done = assembler.flush();
    if (done !== undefined) batch.push(done);
    yield batch;
  } finally {
    // A read still in flight (the caller stopped early) ends before the close; its outcome no longer matters.
    await pending;
    await fh.close();
  }
}

/**
 * Every record of every `wizard.*.log` in `folder` (one host's file each),
 * merged by time: a k-way merge that holds one record per file, so memory
 * stays bounded whatever the files' sizes (two read chunks per file, one
 * parsed while the next is read; one line of at most `maxLineBytes`; one
 * record's continuation lines of at most 1 MiB). Records of one file keep their file order; equal times go in file
 * name order.
 *
 * Accepted as they come: `\r\n` endings, lines without a timestamp (added to
 * the entry before them as `continuation`), any level (`[WARNING]`,
 * `[CRITICAL]`), lines ending with `...[truncated]` (flagged), bytes that are
 * not UTF-8 (read as U+FFFD, flagged). Nothing is dropped and nothing is
 * fatal: a malformed line, an overlong one (cut) and a file that cannot be
 * read each become a `raw` record. Text is handed back as written: the
 * writer's escape is one-way and is not undone.
 *
 * @throws the operating-system error when `folder` cannot be listed; the
 *   signal's reason when `options.signal` aborts.
 * @example
 * ```ts
 * for await (const r of readLog("/data/lab/CONFOCAL_01/.exlab-wizard")) {
 *   if (r.kind === "entry") console.log(r.timestamp, r.level, r.tags.run ?? "-", r.message);
 * }
 * ```
 */
export function readLog(folder: string, options: ReadLogOptions = {}): AsyncGenerator<LogRecord, void, undefined> {
  return mergeKeyed(async () => (await logFiles(folder)).map((f) => fileRecords(f, options)));
}
