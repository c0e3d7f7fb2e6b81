#!/usr/bin/env node
/**
 * The `exlab-cache` executable: hands the process's arguments, streams and
 * environment to {@link main} and exits with its code.
 *
 * @module
 */
import { errnoCode } from "../errors.js";
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

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  isTTY: { stdout: process.stdout.isTTY === true, stderr: process.stderr.isTTY === true },
  onStop(stop) {
    let asked = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (!asked) {
        asked = true;
        stop(signal);
        return;
      }
      // Asked twice: whatever the command is waiting on, the person at the
      // keyboard wants it gone now. The default action ends the process.
      unhook();
      process.kill(process.pid, signal);
    };
    const unhook = (): void => {
      for (const s of STOP_SIGNALS) process.off(s, onSignal);
    };
    for (const s of STOP_SIGNALS) process.on(s, onSignal);
    return unhook;
  },
});
