/**
 * `sync --watch`: sync once, then again after every save of the config, until
 * the process is asked to stop.
 *
 * Saves are seen through the folders the config depends on (its own, and
 * that of every symbolic link on its path; see {@link FolderWatch}), which
 * are watched afresh when they are renamed, replaced or re-pointed. After a
 * quiet period a save is read, and used only once a second read a quiet
 * period later agrees and, on Linux, no process holds the file open for
 * writing (see {@link settledRead}), so a file still being written is not
 * synced; when that cannot be told in time (see {@link heldForWriting}),
 * the watch says so once and the quiet period alone decides. A file that cannot be read or is not valid YAML
 * is reported and the next save awaited, never partly applied. A pass runs
 * only when the file differs from the one last handled. Passes never
 * overlap: a save during a pass causes one more look after it. Asked to
 * stop, the watch abandons its waits (a pass waiting for a lock writes
 * nothing more and reports what it did not do), then returns 0.
 */
import { ExlabCacheError } from "../../errors.js";
import { REPORT_VERSION } from "../../report.js";
import { parseEquipmentConfig, type EquipmentConfig } from "../../config/equipment.js";
import { EXIT_OK, StoppedError, exitCodeForSignal, printError, reportFatal } from "../errors.js";
import type { CliIo, Timers } from "../io.js";
import { sameRead, settledRead, type ConfigRead } from "../../sync/watch/settle.js";
import type { SyncReport } from "../../sync/sync.js";
import { passLine } from "../_sync-report.js";
import { escapeText } from "../_text.js";
import { FolderWatch } from "../../sync/watch/folders.js";
import { heldForWriting } from "../../sync/watch/writers.js";

/**
 * How long the file must be quiet before it is read, and how long two reads
 * that must agree are apart, in milliseconds, unless `--settle-ms` says.
 */
export const DEBOUNCE_MS = 200;

/**
 * How long a save is held back, at most, while another process holds the
 * file open for writing (Linux), in milliseconds. A process that keeps it
 * open longer is not a save in progress but something else; its content is
 * then taken as two agreeing reads find it.
 */
export const HELD_OPEN_MAX_MS = 30_000;

/** How the watch decides a save is finished. */
export interface WatchOptions {
  /** See {@link DEBOUNCE_MS}. @default 200 */
  settleMs?: number | undefined;
}

const GLOBAL_TIMERS: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** A pass over one version of the config, with the signal that stops it. */
export type WatchPass = (config: EquipmentConfig, signal: AbortSignal) => Promise<SyncReport>;

/**
 * Watch `file` and run `pass` on it now and after every change.
 *
 * @param file - the config, absolute.
 * @returns the exit code: 0 when stopped by SIGTERM (or a signal whose
 *   name is unknown), the signal's code after any other (129 SIGHUP, 130
 *   SIGINT, 149 SIGBREAK), 2 when the watch itself failed (a folder that
 *   cannot be watched, an unexpected error).
 * @example
 * ```ts
 * return watchConfig(io, "/etc/exlab-wizard/config.yaml", false, (config, signal) => syncConfig(config, { signal }));
 * ```
 */
export function watchConfig(io: CliIo, file: string, json: boolean, pass: WatchPass, options: WatchOptions = {}): Promise<number> {
  const timers = io.timers ?? GLOBAL_TIMERS;
  const settleMs = options.settleMs ?? DEBOUNCE_MS;
  const line = (doc: object): void => void io.stdout.write(`${JSON.stringify({ version: REPORT_VERSION, ...doc })}\n`);
  const stop = new AbortController();
  return new Promise<number>((done) => {
    let timer: unknown;
    let running = false;
    let again = false;
    let finished = false;
    /** The last version handled (passed, or reported as unreadable): the same one is not handled twice. */
    let handled: ConfigRead | undefined;
    let unhook = (): void => undefined;
    /** The signal that stopped the watch. */
    let stoppedBy: string | undefined;
    /** Whether the watch said it could not tell whether a process has the file open for writing (it says so once). */
    let toldUnknown = false;

    const finish = (code: number): void => {
      if (finished) return;
      finished = true;
      timers.clearTimeout(timer);
      folders.close();
      unhook();
      if (code === EXIT_OK) {
        if (json) line({ event: "stopped", config: file });
        else io.stdout.write(`stopped watching ${escapeText(file)}\n`);
        // SIGTERM is how a service manager stops a service: a clean stop, 0.
        // SIGINT is someone at the keyboard: 130, as for any other command.
        if (stoppedBy !== undefined && stoppedBy !== "SIGTERM") code = exitCodeForSignal(stoppedBy);
      }
      done(code);
    };

    /** Wait one quiet period; `false` when the watch is stopping. */
    const quiet = (): Promise<boolean> =>
      new Promise((resolve) => {
        if (stop.signal.aborted) return resolve(false);
        const onAbort = (): void => {
          timers.clearTimeout(handle);
          resolve(false);
        };
        const handle = timers.setTimeout(() => {
          stop.signal.removeEventListener("abort", onAbort);
          resolve(true);
        }, settleMs);
        stop.signal.addEventListener("abort", onAbort, { once: true });
      });

    const report = (err: ExlabCacheError): void => {
      if (json) line({ event: "error", ...err.toEnvelope() });
      else printError(io, err, false);
    };

    /** Look at the config once: watch its folders as they are now, wait until it is whole, and sync it if it changed. */
    const look = async (): Promise<void> => {
      await folders.arm();
      const read = await settledRead(file, {
        quiet,
        // Stopping the watch stops the look too: it never holds up the stop.
        heldOpen: (f) => heldForWriting(f, { signal: stop.signal }),
        maxHeldPeriods: Math.ceil(HELD_OPEN_MAX_MS / settleMs),
        onHeld: () => {
          if (json) line({ event: "waiting", config: file, reason: "open_for_writing" });
          else io.stderr.write(`waiting for ${escapeText(file)}: another process has it open for writing\n`);
        },
        onUnknown: () => {
          if (toldUnknown) return;
          toldUnknown = true;
          if (json) line({ event: "notice", config: file, reason: "writers_unknown" });
          else io.stderr.write(`note: too many open files on this system to tell in time whether another process has ${escapeText(file)} open for writing; relying on the settle period alone\n`);
        },
      });
      if (read === undefined) return;
      if (handled !== undefined && sameRead(handled, read)) return;
      if (read.error !== undefined) {
        handled = read;
        report(read.error);
        return;
      }
      let parsed: EquipmentConfig | ExlabCacheError;
      try {
        // The settled bytes themselves: what was checked is what is applied.
        parsed = await parseEquipmentConfig(file, read.snapshot.bytes, { signal: stop.signal });
      } catch (err) {
        if (!(err instanceof ExlabCacheError)) throw err;
        parsed = err;
      }
      // A parse stopped by the clock alone may pass on a quieter machine: the same bytes are tried again.
      if (!(parsed instanceof ExlabCacheError && parsed.code === "yaml_parse_timeout" && parsed.details?.["clock"] === "wall")) handled = read;
      if (parsed instanceof ExlabCacheError) return report(parsed);
      const result = await pass(parsed, stop.signal);
      if (json) {
        line({ event: "sync", ...result });
      } else {
        for (const entry of parsed.entries) for (const e of entry.errors) printError(io, e, false);
        io.stdout.write(`${passLine(file, result.results, result.dry_run)}\n`);
      }
    };

    const kick = (): void => {
      running = true;
      look().then(
        () => {
          running = false;
          if (stop.signal.aborted) finish(EXIT_OK);
          else if (again) {
            again = false;
            schedule();
          }
        },
        (err: unknown) => {
          running = false;
          finish(reportFatal(io, err, json));
        },
      );
    };

    /** A change was seen: look after a quiet period, or after the look in progress. */
    const schedule = (): void => {
      if (stop.signal.aborted || finished) return;
      if (running) {
        again = true;
        return;
      }
      timers.clearTimeout(timer);
      timer = timers.setTimeout(kick, settleMs);
    };

    const folders = new FolderWatch(file, schedule);
    unhook =
      io.onStop?.((signal) => {
        stoppedBy = signal;
        stop.abort(new StoppedError(signal));
        timers.clearTimeout(timer);
        if (!running) finish(EXIT_OK);
      }) ?? unhook;
    kick();
  });
}
