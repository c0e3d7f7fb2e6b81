/**
 * Writing the activity log: where a host's file is (`wizard.<host>.log`)
 * and appending one formatted line to it.
 *
 * The application writes every line to `wizard.local.log`, the literal host
 * name `local` on every machine, so machines that share a tree append to one
 * file, where `O_APPEND` is not atomic across network clients. We write to
 * the machine's own name by default (as the application's logging handler,
 * not installed at present, would: `socket.gethostname()`), so each file has
 * one writing machine; `wizard.local.log` is used only when asked for by
 * name.
 *
 * @module
 */
import { hostname } from "node:os";
import { join } from "node:path";
import { ValidationError } from "../errors.js";
import { appendRecord, type AppendOptions } from "../fs/append.js";
import { requirePath } from "../fs/_path.js";
import { formatLogLine, type LogEntryInput } from "../schema/log-line.js";

/** The host name the application writes under: `wizard.local.log`. */
export const APP_LOG_HOST = "local";

/** A host name that is one safe path segment on every platform. */
const HOST_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/**
 * `name` made into a safe file-name segment: characters other than ASCII
 * letters, digits, `.`, `_` and `-` become `-`, leading characters other
 * than a letter or digit are dropped, and it is cut to 63 characters (a DNS
 * label's limit) without a trailing dot; `unknown-host` when nothing is
 * left. Case is kept, so the name matches what Python's
 * `socket.gethostname()` gives on the same machine.
 *
 * @example
 * ```ts
 * sanitizeLogHost("LabPC 04/a"); // "LabPC-04-a"
 * ```
 */
export function sanitizeLogHost(name: string): string {
  const safe = name
    .replace(/[^A-Za-z0-9._-]/g, "-")
    .replace(/^[^A-Za-z0-9]+/, "")
    .slice(0, 63)
    .replace(/\.+$/, "");
  return safe.length > 0 ? safe : "unknown-host";
}

/**
 * The host name our log lines go under by default: this machine's name
 * ({@link sanitizeLogHost} of `os.hostname()`). Never `local`: a machine
 * whose name is `local` gets `host-local`, so the application's shared
 * file is only ever written when a caller names it.
 *
 * @example
 * ```ts
 * defaultLogHost(); // "labpc-04"
 * ```
 */
export function defaultLogHost(): string {
  const host = sanitizeLogHost(hostname());
  return host.toLowerCase() === APP_LOG_HOST ? `host-${host}` : host;
}

/** Options of {@link logFilePath}. */
export interface LogFileOptions {
  /**
   * The host part of the file name: 1–63 ASCII letters, digits, `.`, `_`,
   * `-`, starting with a letter or digit. Pass {@link APP_LOG_HOST}
   * (`"local"`) to write where the application does.
   * @default {@link defaultLogHost}()
   */
  host?: string;
}

/**
 * The log file of one host in `folder` (a `.exlab-wizard` folder):
 * `<folder>/wizard.<host>.log`.
 *
 * @throws {@link ValidationError} (field `host`) for a host that is not a safe segment.
 * @example
 * ```ts
 * logFilePath("/data/lab/CONFOCAL_01/.exlab-wizard"); // ".../wizard.labpc-04.log"
 * logFilePath(dir, { host: "local" }); // ".../wizard.local.log", the application's file
 * ```
 */
export function logFilePath(folder: string, options: LogFileOptions = {}): string {
  requirePath(folder, "folder");
  const host = options.host ?? defaultLogHost();
  if (typeof host !== "string" || !HOST_SEGMENT.test(host) || host.endsWith(".")) {
    const shown = typeof host === "string" ? `\`${JSON.stringify(host).slice(1, -1)}\`` : `a ${typeof host}`;
    const expected = "1-63 ASCII letters, digits, '.', '_' or '-', starting with a letter or digit, not ending with '.'";
    throw new ValidationError([{ path: "host", expected, received: shown, message: `Expected \`host\` to be ${expected}, got ${shown}` }], { what: "log host" });
  }
  return join(folder, `wizard.${host}.log`);
}

/**
 * Append `entry` to the log file at `path` as one line: {@link formatLogLine}
 * and a `\n`, in a single `write(2)` on an `O_APPEND` descriptor, without a
 * lock (see {@link appendRecord}). Lines from concurrent appenders,
 * ours or the application's, never tear or interleave on a local
 * filesystem. The folder is created if missing (each new level fsynced
 * into its parent). Writes `\n` on every platform.
 *
 * @throws {@link ValidationError} for an entry {@link formatLogLine} refuses; nothing is written.
 * @throws {@link NotRegularFileError}, {@link PermissionDeniedError}, {@link WriteFailedError} as {@link appendRecord}.
 * @example
 * ```ts
 * const file = logFilePath("/data/lab/CONFOCAL_01/.exlab-wizard");
 * await appendLogLine(file, { at: new Date(), level: "INFO", equip: "CONFOCAL_01", message: "creation completed" });
 * ```
 */
export async function appendLogLine(path: string, entry: LogEntryInput, options: AppendOptions = {}): Promise<void> {
  requirePath(path);
  await appendRecord(path, `${formatLogLine(entry)}\n`, options);
}
