/**
 * The signals that ask a command to stop, on each platform, and what the
 * process does with them.
 *
 * - SIGINT: Ctrl-C, everywhere.
 * - SIGTERM: a service manager's or `kill`'s stop (POSIX; Windows never
 *   sends it to a console program, but listening costs nothing).
 * - SIGHUP: the terminal closed (POSIX), or the console window closed
 *   (Windows, where Node emits it and the system ends the process about
 *   ten seconds later whatever it does).
 * - SIGBREAK: Ctrl-Break (Windows only; Node emits it on no other platform).
 *
 * The first of them goes to the running command when it asked for it
 * (`sync` winds down and reports what it did not write); otherwise, or on a
 * second signal, the process ends at once with the signal's exit code
 * ({@link exitCodeForSignal}).
 *
 * @module
 */
import { exitCodeForSignal } from "./errors.js";

/** Where signals come from: `process`, or a test's emitter. */
export interface SignalSource {
  on(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
}

/**
 * The signals that stop a command on `platform`.
 *
 * @example
 * ```ts
 * stopSignals("win32"); // ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK"]
 * ```
 */
export function stopSignals(platform: NodeJS.Platform): readonly NodeJS.Signals[] {
  return platform === "win32" ? ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK"] : ["SIGINT", "SIGTERM", "SIGHUP"];
}

/** What {@link listenForStop} gives the process. */
export interface StopListener {
  /** The `onStop` of `CliIo`. */
  onStop: (stop: (signal?: string) => void) => () => void;
  /** The first stop signal received, if any. */
  received: () => string | undefined;
}

/**
 * Listen on `source` for the stop signals of `platform`. The command that
 * registers through `onStop` is told of the first signal; without one, or
 * on a second signal, `exit` is called with the signal's exit code and
 * name.
 *
 * @example
 * ```ts
 * const { onStop } = listenForStop(process, process.platform, (code) => process.exit(code));
 * ```
 */
export function listenForStop(source: SignalSource, platform: NodeJS.Platform, exit: (code: number, signal: string) => void): StopListener {
  let stopCommand: ((signal: string) => void) | undefined;
  let asked = false;
  let first: string | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    first ??= signal;
    if (stopCommand !== undefined && !asked) {
      asked = true;
      stopCommand(signal);
      return;
    }
    // Nothing to wind down, or asked twice: whatever the command is waiting
    // on, the person at the keyboard wants it gone now.
    exit(exitCodeForSignal(signal), signal);
  };
  for (const s of stopSignals(platform)) source.on(s, onSignal);
  return {
    onStop(stop) {
      stopCommand = stop;
      return () => {
        if (stopCommand === stop) stopCommand = undefined;
      };
    },
    received: () => first,
  };
}
