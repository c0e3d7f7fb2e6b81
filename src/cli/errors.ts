/**
 * The tool's own errors and exit codes, and the one place that turns any
 * error into one line for people (or the §4.6.3 envelope for scripts).
 *
 * @module
 */
import { ExlabCacheError, PermissionDeniedError, errnoCode, isPermissionRefusal } from "../errors.js";
import { styleFor, type CliIo } from "./io.js";
import { escapeText } from "./_text.js";

/** Everything went as asked and nothing is wrong. */
export const EXIT_OK = 0;
/** The command ran and found problems (invalid entries, bad files, check findings). */
export const EXIT_PROBLEMS = 1;
/** Bad usage, or an error that stopped the command (unreadable config, missing root...). */
export const EXIT_FATAL = 2;

/**
 * A command line that does not make sense: unknown command or option,
 * missing argument, bad value. Always exit code 2.
 *
 * @example
 * ```ts
 * throw new UsageError("Missing --config <file>", "sync");
 * ```
 */
export class UsageError extends ExlabCacheError {
  /** The command whose help to point at, when known. */
  readonly command: string | undefined;

  constructor(message: string, command?: string) {
    super("usage_error", message, { details: command === undefined ? undefined : { command } });
    this.command = command;
  }
}

/** Where in the config file a problem is, as the YAML parser reports it. */
export interface ConfigPosition {
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
}

/**
 * A problem with `config.yaml`: the file as a whole (`config_unreadable`,
 * `yaml_syntax_error`, `yaml_encoding_error`, `yaml_unsupported_tag`,
 * `yaml_alias_limit`, `config_invalid`) or one equipment entry
 * (`validation_failed`, `duplicate_id`). The message starts with
 * `file:line:column:` when the position is known.
 *
 * @example
 * ```ts
 * new ConfigError("config_invalid", "config.yaml", "`equipment` is missing", { field: "equipment" });
 * ```
 */
export class ConfigError extends ExlabCacheError {
  /** Where the problem is, when the parser knows. */
  readonly position: ConfigPosition | undefined;

  constructor(
    code: string,
    file: string,
    message: string,
    options: { field?: string | undefined; position?: ConfigPosition | undefined; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    const at = options.position === undefined ? file : `${file}:${options.position.line}:${options.position.column}`;
    const field = options.field === undefined ? "" : ` ${options.field}:`;
    super(code, `${at}:${field} ${message}`, {
      path: file,
      field: options.field,
      details: { ...options.details, ...(options.position === undefined ? {} : { line: options.position.line, column: options.position.column }) },
      cause: options.cause,
    });
    this.position = options.position;
  }
}

/** Why a path given on the command line cannot be used. */
export type InputErrorCode = "not_found" | "not_a_directory" | "not_regular_file" | "file_too_large" | "io_error" | "watch_failed";

/**
 * A path given on the command line that cannot be used: `not_found`,
 * `not_a_directory`, `not_regular_file` (a config that is a FIFO, a
 * device...), `file_too_large`, `watch_failed` (`sync --watch` cannot watch
 * a folder), or `io_error` for other operating-system errors.
 *
 * @example
 * ```ts
 * throw new InputError("not_found", "./lab", "does not exist");
 * ```
 */
export class InputError extends ExlabCacheError {
  constructor(
    code: InputErrorCode,
    path: string,
    reason: string,
    options: { cause?: unknown; osCode?: string | undefined; details?: Record<string, unknown> | undefined } = {},
  ) {
    const details = { ...options.details, ...(options.osCode === undefined ? {} : { os_code: options.osCode }) };
    super(code, `${path}: ${reason}`, {
      path,
      details: Object.keys(details).length === 0 ? undefined : details,
      cause: options.cause,
    });
  }
}

/**
 * An operating-system error on `path` as an {@link InputError}, or a
 * {@link PermissionDeniedError} for `EACCES`/`EPERM`; anything else is
 * returned as it is.
 *
 * @example
 * ```ts
 * try { await readFile(file); } catch (err) { throw fromOsError(err, file); }
 * ```
 */
export function fromOsError(err: unknown, path: string): unknown {
  const code = errnoCode(err);
  if (code === undefined || err instanceof ExlabCacheError) return err;
  if (code === "ENOENT") return new InputError("not_found", path, "no such file or directory", { cause: err, osCode: code });
  if (code === "ENOTDIR") return new InputError("not_a_directory", path, "a path component is not a directory", { cause: err, osCode: code });
  // The same error the library gives for a refusal, whichever command met it.
  if (isPermissionRefusal(err)) {
    const syscall = (err as NodeJS.ErrnoException).syscall;
    return new PermissionDeniedError(path, syscall === "scandir" || syscall === "opendir" ? "list_folder" : "read_file", err);
  }
  const reason = err instanceof Error ? err.message : String(err);
  return new InputError("io_error", path, reason, { cause: err, osCode: code });
}

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
    io.stdout.write(`${JSON.stringify(err.toEnvelope(), null, 2)}\n`);
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
  if (json) io.stdout.write(`${JSON.stringify({ error: { code: "internal_error", message } }, null, 2)}\n`);
  io.stderr.write(`internal error (please report it): ${err instanceof Error ? (err.stack ?? message) : message}\n`);
  return EXIT_FATAL;
}

/**
 * A command stopped by SIGINT or SIGTERM: the reason its lock waits are
 * abandoned with (no `path`), and the error of each file it then did not
 * write (`path` set). Code `cancelled`.
 *
 * @example
 * ```ts
 * controller.abort(new StoppedError("SIGTERM"));
 * new StoppedError("SIGTERM", "/data/lab/CONFOCAL_01/.exlab-wizard/equipment.json").message;
 * // "/data/lab/.../equipment.json: not written: stopped by SIGTERM"
 * ```
 */
export class StoppedError extends ExlabCacheError {
  /** The signal that asked the command to stop, when known. */
  readonly signal: string | undefined;

  constructor(signal: string | undefined, path?: string) {
    const by = `stopped by ${signal ?? "a signal"}`;
    super("cancelled", path === undefined ? by : `${path}: not written: ${by}`, { path, details: signal === undefined ? undefined : { signal } });
    this.signal = signal;
  }
}
