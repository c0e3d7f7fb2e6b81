/**
 * The tool's own errors and exit codes, and the one place that turns any
 * error into one line for people (or the §4.6.3 envelope for scripts).
 *
 * @module
 */
import { constants } from "node:os";
import { ExlabCacheError, UsageError, fromOsError, type ErrorEnvelope } from "../errors.js";
import { REPORT_VERSION } from "../report.js";
import { styleFor, type CliIo } from "./io.js";
import { escapeText } from "./_escape.js";

/** Everything went as asked and nothing is wrong. */
export const EXIT_OK = 0;
/** The command ran and found problems (invalid entries, bad files, check findings). */
export const EXIT_PROBLEMS = 1;
/** Bad usage, or an error that stopped the command (unreadable config, missing root...). */
export const EXIT_FATAL = 2;

/**
 * The numbers of the stop signals, fixed so that every platform exits with
 * the same codes. SIGBREAK (Ctrl-Break, Windows only) has no POSIX number;
 * it takes 21, its number in Node's `os.constants.signals` on Windows, so
 * that its 149 stays apart from Ctrl-C's 130 and a script can tell which
 * key stopped the command.
 */
const STOP_SIGNAL_NUMBERS: Readonly<Record<string, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15, SIGBREAK: 21 };

/**
 * The exit code of a command stopped by `signal`: 128 plus the signal's
 * number (129 for SIGHUP, 130 for SIGINT, 143 for SIGTERM, 149 for
 * SIGBREAK), the same on every platform.
 *
 * @example
 * ```ts
 * exitCodeForSignal("SIGINT"); // 130
 * ```
 */
export function exitCodeForSignal(signal: string | undefined): number {
  if (signal === undefined) return EXIT_FATAL;
  const n = STOP_SIGNAL_NUMBERS[signal] ?? (constants.signals as Record<string, number | undefined>)[signal];
  return n === undefined ? EXIT_FATAL : 128 + n;
}

export { ConfigError, InputError, StoppedError, UsageError, fromOsError } from "../errors.js";
export type { ConfigErrorCode, ConfigPosition, InputErrorCode } from "../errors.js";

/**
 * Print a structured error: one line on stderr for people, or the §4.6.3
 * envelope on stdout with `json`.
 *
 * @example
 * ```ts
 * printError(io, new InputError("not_found", "./lab", "does not exist"), false);
 * // stderr: "error: ./lab: does not exist [not_found]"
 * ```
 */
export function printError(io: CliIo, err: ExlabCacheError, json: boolean): void {
  if (json) {
    io.stdout.write(`${JSON.stringify({ version: REPORT_VERSION, ...err.toEnvelope() }, null, 2)}\n`);
    return;
  }
  const s = styleFor(io, "stderr");
  let hint = "";
  if (err instanceof UsageError) {
    const cmd = err.command === undefined ? "" : `${err.command} `;
    hint = `\n${s.dim(`Run \`exlab-cache ${cmd}--help\` for usage.`)}`;
  }
  io.stderr.write(`${s.red("error:")} ${escapeText(err.message)} ${s.dim(`[${err.code}]`)}${hint}\n`);
}

/**
 * Print an error already in envelope form (an entry's problem in a sync
 * report) as {@link printError} prints it for people.
 *
 * @example
 * ```ts
 * for (const e of result.errors) printErrorEnvelope(io, e);
 * ```
 */
export function printErrorEnvelope(io: CliIo, error: ErrorEnvelope["error"]): void {
  const s = styleFor(io, "stderr");
  io.stderr.write(`${s.red("error:")} ${escapeText(error.message)} ${s.dim(`[${escapeText(error.code)}]`)}\n`);
}

/**
 * Report an error that stopped a command and return exit code 2. Structured
 * and operating-system errors are printed by {@link printError}; anything
 * else is a bug and is shown with its stack.
 *
 * @example
 * ```ts
 * try { return await cmd.run(args, io); } catch (err) { return reportFatal(io, err, json); }
 * ```
 */
export function reportFatal(io: CliIo, err: unknown, json: boolean): number {
  const nodePath = typeof err === "object" && err !== null && "path" in err && typeof err.path === "string" ? err.path : "(unknown path)";
  const known = fromOsError(err, nodePath);
  if (known instanceof ExlabCacheError) {
    printError(io, known, json);
    return EXIT_FATAL;
  }
  const message = err instanceof Error ? err.message : String(err);
  if (json) io.stdout.write(`${JSON.stringify({ version: REPORT_VERSION, error: { code: "internal_error", message } }, null, 2)}\n`);
  io.stderr.write(`internal error (please report it): ${err instanceof Error ? (err.stack ?? message) : message}\n`);
  return EXIT_FATAL;
}

