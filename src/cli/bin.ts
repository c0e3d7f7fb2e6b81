#!/usr/bin/env node
/**
 * The `exlab-cache` executable: hands the process's arguments, streams and
 * environment to {@link main} and exits with its code.
 *
 * @module
 */
import { main } from "./main.js";

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  isTTY: { stdout: process.stdout.isTTY === true, stderr: process.stderr.isTTY === true },
});
