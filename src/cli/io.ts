/**
 * What a command may touch of the outside world, handed in by the caller so
 * the whole tool runs in-process as well as from the binary: two writers,
 * the environment, whether each stream is a terminal, a clock for
 * deciding when a walk is slow enough to show progress, the stop signals,
 * and the timers a watch waits with.
 *
 * @module
 */

/** Anything with a `write(text)`: `process.stdout`, a test's collector. */
export interface Writer {
  write(text: string): unknown;
}

/** The world a command runs in. */
export interface CliIo {
  /** Results: human text or the `--json` document. */
  stdout: Writer;
  /** Errors, warnings and progress. */
  stderr: Writer;
  /** Read for `NO_COLOR`, `FORCE_COLOR` and `TERM`. */
  env: Readonly<Record<string, string | undefined>>;
  /** Whether each stream is a terminal: colours and progress only then. */
  isTTY: { stdout: boolean; stderr: boolean };
  /**
   * The terminal's width when stdout is one: `ls` fits its rows to it.
   * Ignored unless `isTTY.stdout`; output to a pipe or file is never cut.
   * @default 80 on a terminal
   */
  columns?: number | undefined;
  /**
   * Monotonic milliseconds, for the progress display's timing.
   * @default performance.now
   */
  now?: () => number;
  /**
   * Registers `stop` to be called, with the signal's name, when the process
   * is asked to end (SIGINT, SIGTERM, SIGHUP; on Windows SIGBREAK too);
   * returns a function that unregisters it. `sync` then abandons its lock
   * waits, writes nothing more and reports what it did not do.
   * @default never asked to stop
   */
  onStop?: (stop: (signal?: string) => void) => () => void;
  /**
   * The timers `sync --watch` waits with: the quiet period before a save is
   * read, and between the two reads that must agree before it is used.
   * @default `setTimeout` / `clearTimeout`
   */
  timers?: Timers;
}

/** Starting and cancelling a timer: the global functions, or a test's own clock. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** ANSI styling that turns itself off when the stream is not a terminal. */
export interface Style {
  bold: (text: string) => string;
  dim: (text: string) => string;
  red: (text: string) => string;
  green: (text: string) => string;
  yellow: (text: string) => string;
}

const plain: Style = { bold: id, dim: id, red: id, green: id, yellow: id };

function id(text: string): string {
  return text;
}

function sgr(open: number, close: number): (text: string) => string {
  return (text) => `\x1b[${open}m${text}\x1b[${close}m`;
}

const ansi: Style = { bold: sgr(1, 22), dim: sgr(2, 22), red: sgr(31, 39), green: sgr(32, 39), yellow: sgr(33, 39) };

/**
 * The style for a stream. `FORCE_COLOR` decides when set: `0` or `false`
 * means none, anything else colours even a pipe (Node's own rule). Otherwise
 * colours only on a terminal, never when `NO_COLOR` is set to a non-empty
 * value (https://no-color.org), and never when `TERM=dumb`.
 *
 * @example
 * ```ts
 * const s = styleFor(io, "stdout");
 * io.stdout.write(s.green("created") + "\n");
 * ```
 */
export function styleFor(io: CliIo, stream: "stdout" | "stderr"): Style {
  const force = io.env["FORCE_COLOR"];
  if (force !== undefined) return force === "0" || force === "false" ? plain : ansi;
  const noColor = io.env["NO_COLOR"];
  if (noColor !== undefined && noColor !== "") return plain;
  if (io.env["TERM"] === "dumb") return plain;
  return io.isTTY[stream] ? ansi : plain;
}

/**
 * Write one JSON document and a newline to stdout. Every document is an
 * object with a `version` member (the type insists).
 *
 * @example
 * ```ts
 * printJson(io, { version: REPORT_VERSION, status: "created" });
 * ```
 */
export function printJson<T extends { version: number }>(io: CliIo, value: T): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * `n` and the noun, singular or plural as `n` asks.
 *
 * @example
 * ```ts
 * count(1, "project"); // "1 project"
 * count(3, "entry", "entries"); // "3 entries"
 * ```
 */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}
