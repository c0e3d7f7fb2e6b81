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
 */
import { errnoCode } from "../errors.js";
import { exitCodeForSignal } from "./errors.js";
import { main } from "./main.js";
import { listenForStop } from "./_signals.js";

const stops = listenForStop(process, process.platform, (code) => process.exit(code));

// A reader that stops early (`exlab-cache check /data/lab | head`) closes the
// pipe; that is the reader's choice, not an error worth a stack trace. A
// terminal that was closed (EIO on it) is gone the same way: the command was
// stopped by its SIGHUP and ends with that signal's code.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err) => {
    const code = errnoCode(err);
    if (code === "EPIPE" || (code === "EIO" && stream.isTTY)) {
      const signal = stops.received();
      process.exit(process.exitCode ?? (signal === undefined ? 0 : exitCodeForSignal(signal)));
    }
    throw err;
  });
}

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  isTTY: { stdout: process.stdout.isTTY === true, stderr: process.stderr.isTTY === true },
  ...(process.stdout.isTTY === true ? { columns: process.stdout.columns } : {}),
  onStop: stops.onStop,
});
