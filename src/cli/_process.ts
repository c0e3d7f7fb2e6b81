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
 * how a program that cleaned up after a signal conventionally ends. It
 * does so whatever code the command returned after the SIGHUP, and also
 * when no SIGHUP came but a write to the terminal failed with EIO (it is
 * gone: a background job, or a terminal that is not the controlling one,
 * is not sent the signal); that failure stops the command as SIGHUP would.
 * Never does a gone terminal end the process with 0. A second signal while
 * output drains ends it by SIGHUP at once.
 */
import { errnoCode } from "../errors.js";
import { exitCodeForSignal } from "./errors.js";
import { main } from "./main.js";
import { ending, listenForStop } from "./_signals.js";

/** Resolves once everything written to `stream` has left the process (a pipe is asynchronous on macOS). */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  return stream.writableLength === 0 ? Promise.resolve() : new Promise((resolve) => stream.once("drain", () => resolve()));
}

/**
 * Whether a write to the terminal failed with EIO: it is gone, whether or
 * not a SIGHUP said so (a watch in a background process group, or on a
 * terminal that is not its controlling one, gets none). From then on the
 * process can only end by SIGHUP: Node would crash restoring the
 * terminal's settings on any other way out.
 */
let terminalGone = false;

const endAs = ending({
  platform: process.platform,
  exit: (code) => process.exit(code),
  hangUp: (code) => {
    process.removeAllListeners("SIGHUP");
    process.kill(process.pid, "SIGHUP");
    // The signal ends the process at once; the timer only keeps it from
    // ending another way meanwhile.
    setTimeout(() => process.exit(code), 1000);
  },
  drained: async () => void (await Promise.all([drained(process.stdout), drained(process.stderr)])),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
});

/** End with `code`, or after a SIGHUP or once the terminal is gone, by SIGHUP (POSIX). */
const end = (code: number, signal: string | undefined): void => endAs(code, terminalGone ? "SIGHUP" : signal);

const stops = listenForStop(process, process.platform, end);

// A reader that stops early (`exlab-cache check /data/lab | head`) closes the
// pipe; that is the reader's choice, not an error worth a stack trace. A
// terminal that was closed (EIO on it) is gone the same way, and is a
// hang-up: the command is stopped as by SIGHUP (unless a signal already
// stopped it) and the process ends by SIGHUP.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err) => {
    const code = errnoCode(err);
    if (code === "EIO" && stream.isTTY) {
      if (terminalGone) return;
      terminalGone = true;
      if (stops.received() === undefined) stops.deliver("SIGHUP");
      return;
    }
    if (code === "EPIPE") {
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
if (terminalGone || stops.received() === "SIGHUP") end(code, "SIGHUP");
else process.exitCode = code;
