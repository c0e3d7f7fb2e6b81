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
  /** Take `signal` as if it had been received (a terminal found gone is a hang-up). */
  deliver: (signal: NodeJS.Signals) => void;
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
    deliver: onSignal,
  };
}

/** What {@link ending} needs of the process. */
export interface EndingProcess {
  platform: NodeJS.Platform;
  /** End with `code`. */
  exit: (code: number) => void;
  /** End by SIGHUP, its default action restored; `code` only if that does not end it. */
  hangUp: (code: number) => void;
  /** Resolves once the output on its way has left the process. */
  drained: () => Promise<void>;
  setTimeout: (callback: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
}

/** How long output on its way is waited for before ending by SIGHUP, in milliseconds. */
export const DRAIN_WAIT_MS = 1000;

/**
 * How the process ends: `end(code, signal)` exits with `code`, except after
 * SIGHUP on POSIX, when it lets the output on its way leave (at most
 * {@link DRAIN_WAIT_MS}) and then ends by SIGHUP itself. While it waits, a
 * further end of any kind (a second signal) ends it by SIGHUP at once.
 *
 * @example
 * ```ts
 * const end = ending({ platform: process.platform, exit: (c) => process.exit(c), hangUp, drained, setTimeout, clearTimeout });
 * end(129, "SIGHUP");
 * ```
 */
export function ending(p: EndingProcess): (code: number, signal: string | undefined) => void {
  let hangingUp: { code: number; fallback: unknown } | undefined;
  let over = false;
  const hangUp = (code: number): void => {
    if (over) return;
    over = true;
    if (hangingUp !== undefined) p.clearTimeout(hangingUp.fallback);
    p.hangUp(code);
  };
  return (code, signal) => {
    if (hangingUp !== undefined) {
      // Asked again while the output drains: whatever it waits on, the
      // person at the keyboard wants it gone now.
      hangUp(hangingUp.code);
      return;
    }
    if (signal !== "SIGHUP" || p.platform === "win32") {
      p.exit(code);
      return;
    }
    // Output still on its way is let out first; a stream whose terminal is
    // gone never drains, and does not hold the process beyond the wait.
    hangingUp = { code, fallback: p.setTimeout(() => hangUp(code), DRAIN_WAIT_MS) };
    void p.drained().then(() => hangUp(code));
  };
}
