/**
 * The process around {@link main}: its arguments, streams, environment and
 * signals in, its exit code out.
 *
 * Signals: the first SIGINT or SIGTERM goes to the running command when it
 * asked for it (`sync` winds down and reports what it did not write);
 * otherwise, or on a second signal, the process ends at once. Either way it
 * exits with 128 plus the signal's number (130, 143), except that a
 * `sync --watch` stopped by SIGTERM exits 0, as a service manager expects of
 * a clean stop.
 */
import { errnoCode } from "../errors.js";
import { exitCodeForSignal } from "./errors.js";
import { main } from "./main.js";

// A reader that stops early (`exlab-cache check /data/lab | head`) closes the
// pipe; that is the reader's choice, not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err) => {
    if (errnoCode(err) === "EPIPE") process.exit(process.exitCode ?? 0);
    throw err;
  });
}

const STOP_SIGNALS = ["SIGINT", "SIGTERM"] as const;
let stopCommand: ((signal: string) => void) | undefined;
let asked = false;

const onSignal = (signal: NodeJS.Signals): void => {
  if (stopCommand !== undefined && !asked) {
    asked = true;
    stopCommand(signal);
    return;
  }
  // Nothing to wind down, or asked twice: whatever the command is waiting
  // on, the person at the keyboard wants it gone now.
  process.exit(exitCodeForSignal(signal));
};
for (const s of STOP_SIGNALS) process.on(s, onSignal);

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  isTTY: { stdout: process.stdout.isTTY === true, stderr: process.stderr.isTTY === true },
  ...(process.stdout.isTTY === true ? { columns: process.stdout.columns } : {}),
  onStop(stop) {
    stopCommand = stop;
    return () => {
      if (stopCommand === stop) stopCommand = undefined;
    };
  },
});
