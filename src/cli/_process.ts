/**
 * The process around {@link main}: its arguments, streams, environment and
 * signals in, its exit code out.
 *
 * Signals (see `_signals.ts`): SIGINT, SIGTERM and SIGHUP, and on Windows
 * SIGBREAK too. The first goes to the running command when it asked for it
 * (`sync` winds down and reports what it did not write); otherwise, or on a
 * second signal, the process ends at once. Either way it exits with the
 * signal's code (129, 130, 143, 149), except that `sync --watch` and
 * `log --follow` stopped by SIGTERM exit 0, as a service manager expects of
 * a clean stop.
 *
 * SIGHUP on POSIX is the exception to "exits": once the command has
 * reported, the process ends by SIGHUP itself, its default action restored
 * (a shell shows 129 all the same). The terminal is usually gone by then,
 * and Node, restoring the terminal's settings on its way out, aborts when
 * they cannot be restored (EIO); ending by the signal skips that, and is
 * how a program that cleaned up after a signal conventionally ends.
 */
import { errnoCode } from "../errors.js";
import { exitCodeForSignal } from "./errors.js";
import { main } from "./main.js";
import { listenForStop } from "./_signals.js";

/** Resolves once everything written to `stream` has left the process (a pipe is asynchronous on macOS). */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  return stream.writableLength === 0 ? Promise.resolve() : new Promise((resolve) => stream.once("drain", () => resolve()));
}

let hangingUp = false;

/** End the process with `code`, or after a SIGHUP, by that signal (POSIX). */
function end(code: number, signal: string | undefined): void {
  if (signal !== "SIGHUP" || process.platform === "win32") {
    process.exit(code);
    return;
  }
  if (hangingUp) return;
  hangingUp = true;
  const hangUp = (): void => {
    process.removeAllListeners("SIGHUP");
    process.kill(process.pid, "SIGHUP");
    // The signal ends the process at once; the timer only keeps it from
    // ending another way meanwhile.
    setTimeout(() => process.exit(code), 1000);
  };
  // Output still on its way is let out first; a stream whose terminal is
  // gone never drains, and does not hold the process beyond a second.
  const fallback = setTimeout(hangUp, 1000);
  void Promise.all([drained(process.stdout), drained(process.stderr)]).then(() => {
    clearTimeout(fallback);
    hangUp();
  });
}

const stops = listenForStop(process, process.platform, end);

// A reader that stops early (`exlab-cache check /data/lab | head`) closes the
// pipe; that is the reader's choice, not an error worth a stack trace. A
// terminal that was closed (EIO on it) is gone the same way: the command was
// stopped by its SIGHUP and ends by it.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err) => {
    const code = errnoCode(err);
    if (code === "EPIPE" || (code === "EIO" && stream.isTTY)) {
      const signal = stops.received();
      end(Number(process.exitCode ?? (signal === undefined ? 0 : exitCodeForSignal(signal))), signal);
      return;
    }
    throw err;
  });
}

const code = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  isTTY: { stdout: process.stdout.isTTY === true, stderr: process.stderr.isTTY === true },
  ...(process.stdout.isTTY === true ? { columns: process.stdout.columns } : {}),
  onStop: stops.onStop,
});
if (stops.received() === "SIGHUP" && code === exitCodeForSignal("SIGHUP")) end(code, "SIGHUP");
else process.exitCode = code;
