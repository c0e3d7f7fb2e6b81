/**
 * `sync --watch`: sync once, then again after every save of the config, until
 * the process is asked to stop.
 *
 * The folder is watched, not the file: editors that save by writing a new
 * file and renaming it over the old one leave a watch on the old inode
 * blind. Events are debounced, so a save made of several writes is read
 * once it is whole; a file caught half-saved (a YAML error) is reported and
 * the next save awaited, never partly applied. Passes never overlap: a save
 * during a pass causes one more pass after it. Asked to stop, the watch
 * abandons a pass's lock waits (it writes nothing more and reports what it
 * did not do), then returns 0.
 */
import { watch, type FSWatcher } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { ExlabCacheError } from "../errors.js";
import { readEquipmentConfig, type EquipmentConfig } from "./config.js";
import { EXIT_OK, StoppedError, printError, reportFatal } from "./errors.js";
import type { CliIo } from "./io.js";
import type { SyncReportJson } from "./sync.js";
import { passLine } from "./_sync-report.js";
import { escapeText } from "./_text.js";

/** How long the file must be quiet before it is read, in milliseconds. */
export const DEBOUNCE_MS = 200;

/**
 * Watch `file` and run `pass` on it now and after every change.
 *
 * @returns the exit code: 0 when stopped by a signal, 2 when the watch
 *   itself failed (the folder went away, an unexpected error).
 * @example
 * ```ts
 * return watchConfig(io, "/etc/exlab-wizard/config.yaml", false, (config, signal) => syncPass(io, config, { ...ctx, signal }, false));
 * ```
 */
export function watchConfig(io: CliIo, file: string, json: boolean, pass: (config: EquipmentConfig, signal: AbortSignal) => Promise<SyncReportJson>): Promise<number> {
  const shown = escapeText(resolve(file));
  const stop = new AbortController();
  const line = (doc: object): void => void io.stdout.write(`${JSON.stringify(doc)}\n`);
  return new Promise<number>((done) => {
    let timer: NodeJS.Timeout | undefined;
    let running = false;
    let again = false;
    let stopping = false;
    let finished = false;
    let watcher: FSWatcher | undefined;
    let unhook = (): void => undefined;

    const finish = (code: number): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      watcher?.close();
      unhook();
      if (code === EXIT_OK) {
        if (json) line({ event: "stopped", config: file });
        else io.stdout.write(`stopped watching ${shown}\n`);
      }
      done(code);
    };

    const runOnce = async (): Promise<void> => {
      try {
        const config = await readEquipmentConfig(file);
        const report = await pass(config, stop.signal);
        if (json) {
          line({ event: "sync", ...report });
        } else {
          for (const entry of config.entries) for (const e of entry.errors) printError(io, e, false);
          io.stdout.write(`${passLine(file, report.results, report.dry_run)}\n`);
        }
      } catch (err) {
        if (!(err instanceof ExlabCacheError)) throw err;
        // A half-saved or unreadable file: say so and wait for the next save.
        if (json) line({ event: "error", ...err.toEnvelope() });
        else printError(io, err, false);
      }
    };

    const kick = (): void => {
      if (running) {
        again = true;
        return;
      }
      running = true;
      runOnce().then(
        () => {
          running = false;
          if (stopping) finish(EXIT_OK);
          else if (again) {
            again = false;
            kick();
          }
        },
        (err: unknown) => {
          running = false;
          finish(reportFatal(io, err, json));
        },
      );
    };

    const schedule = (): void => {
      if (stopping || finished) return;
      clearTimeout(timer);
      timer = setTimeout(kick, DEBOUNCE_MS);
    };

    const base = basename(file);
    try {
      watcher = watch(dirname(resolve(file)), (_event, name) => {
        // No name means the platform could not say which entry changed.
        if (name === null || name === base) schedule();
      });
    } catch (err) {
      finish(reportFatal(io, err, json));
      return;
    }
    watcher.on("error", (err) => {
      if (!finished) finish(reportFatal(io, err, json));
    });
    unhook =
      io.onStop?.((signal) => {
        stopping = true;
        stop.abort(new StoppedError(signal));
        clearTimeout(timer);
        if (!running) finish(EXIT_OK);
      }) ?? unhook;
    kick();
  });
}
