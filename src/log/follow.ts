/**
 * Following every host's log in a folder in the manner of `tail -F`.
 *
 * @module
 */
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { errnoCode } from "../errors.js";
import { requirePath } from "../fs/_path.js";
import type { LogRecord } from "./entry.js";
import type { Keyed } from "./_entries.js";
import { mergeKeyed } from "./_merge.js";
import { Tail, type TailSettings } from "./_tail.js";
import { DEFAULT_MAX_LINE_BYTES, LOG_FILE_PATTERN } from "./read.js";

/** What happened to a followed file. */
export type LogFileEvent = "file_added" | "file_truncated" | "file_replaced" | "file_removed";

/** One thing {@link followLog} reports. */
export type FollowEvent = { event: "record"; record: LogRecord } | { event: LogFileEvent; host: string; file: string };

/** Options of {@link followLog}. */
export interface FollowLogOptions {
  /** Ends the iteration (quietly, closing every file). */
  signal?: AbortSignal | undefined;
  /** How often the folder and the files are looked at, in milliseconds. @default 250 */
  intervalMs?: number;
  /** The longest physical line kept whole, in bytes. @default 65536 */
  maxLineBytes?: number;
  /** How much is read at a time, in bytes. @default 65536 */
  chunkBytes?: number;
}

const record = (k: Keyed): FollowEvent => ({ event: "record", record: k.record });

/**
 * Every record already in the folder's `wizard.*.log` files, merged by time
 * as {@link readLog} gives them, then every record appended afterwards, as
 * `tail -F` would show it: a file that shrinks is read again from its start
 * (`file_truncated`), a file renamed away and replaced is read to its end
 * and the new one from its start (`file_replaced`), a new host's file is
 * picked up (`file_added`), a removed one let go (`file_removed`). The folder
 * and files are looked at every `intervalMs`; an entry is handed out when
 * the next line of its file arrives, or at the first look that finds no
 * more (continuation lines written after that come out as raw
 * `orphan_continuation` records). A partial last line waits for its end.
 * Memory is bounded as for {@link readLog}.
 *
 * A file truncated and grown past its old size between two looks cannot be
 * told from one that only grew (as with `tail -F`).
 *
 * Runs until `options.signal` aborts, then returns, closing every file.
 *
 * @throws the operating-system error when `folder` cannot be listed at the start.
 * @example
 * ```ts
 * const stop = new AbortController();
 * for await (const e of followLog("/data/lab/CONFOCAL_01/.exlab-wizard", { signal: stop.signal })) {
 *   if (e.event === "record") console.log(e.record.text);
 * }
 * ```
 */
export async function* followLog(folder: string, options: FollowLogOptions = {}): AsyncGenerator<FollowEvent, void, undefined> {
  requirePath(folder, "folder");
  await readdir(folder);
  const settings: TailSettings = { maxLineBytes: options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES, chunkBytes: options.chunkBytes ?? 64 * 1024 };
  const signal = options.signal;
  const tails = new Map<string, Tail>();
  // Names that could not be opened: reported once, tried again after the name has gone and come back.
  const failed = new Map<string, string>();
  let first = true;
  try {
    while (signal?.aborted !== true) {
      const sources: AsyncGenerator<Keyed[]>[] = [];
      for (const [name, tail] of [...tails]) {
        let st;
        try {
          st = await stat(tail.path);
        } catch (err) {
          if (errnoCode(err) !== "ENOENT") throw err;
        }
        if (st !== undefined && st.dev === tail.dev && st.ino === tail.ino) {
          if (st.size < tail.position) {
            yield* tail.finish().map(record);
            yield { event: "file_truncated", host: tail.host, file: tail.path };
            tail.rewind();
          }
          sources.push(tail.drain());
          continue;
        }
        // Renamed away or removed: what was written to it before is still ours to read.
        for await (const batch of tail.drain()) yield* batch.map(record);
        yield* tail.finish().map(record);
        await tail.close();
        tails.delete(name);
        if (st === undefined) yield { event: "file_removed", host: tail.host, file: tail.path };
        else {
          yield { event: "file_replaced", host: tail.host, file: tail.path };
          failed.delete(name);
          const opened = await Tail.open(tail.host, tail.path, settings);
          if (opened instanceof Tail) {
            tails.set(name, opened);
            sources.push(opened.drain());
          } else yield record(opened);
        }
      }
      let names: string[] = [];
      try {
        names = (await readdir(folder)).filter((n) => LOG_FILE_PATTERN.test(n)).sort();
      } catch {
        // The folder is gone for now (replaced, remounted): look again next time.
      }
      for (const name of [...failed.keys()]) if (!names.includes(name)) failed.delete(name);
      for (const name of names) {
        if (tails.has(name) || failed.has(name)) continue;
        const host = LOG_FILE_PATTERN.exec(name)?.[1] ?? name;
        const path = join(folder, name);
        if (!first) yield { event: "file_added", host, file: path };
        const opened = await Tail.open(host, path, settings);
        if (opened instanceof Tail) {
          tails.set(name, opened);
          sources.push(opened.drain());
        } else {
          failed.set(name, opened.record.message);
          yield record(opened);
        }
      }
      for await (const r of mergeKeyed(() => Promise.resolve(sources))) yield { event: "record", record: r };
      for (const tail of tails.values()) {
        const idle = tail.grew ? undefined : tail.flushIdle();
        if (idle !== undefined) yield record(idle);
      }
      first = false;
      await sleep(options.intervalMs ?? 250, undefined, { signal }).catch(() => undefined);
    }
  } finally {
    await Promise.all([...tails.values()].map((t) => t.close()));
  }
}
