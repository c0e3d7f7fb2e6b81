/**
 * `exlab-cache log`: every host's `wizard.<host>.log` in a folder, merged by
 * time, filtered, printed escaped; with `--follow`, kept open like `tail -F`.
 *
 * @module
 */
import { stat } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import type { LogRecord } from "../../log/entry.js";
import { followLog, type FollowEvent } from "../../log/follow.js";
import { logFiles, readLog } from "../../log/read.js";
import { isTimestamp } from "../../schema/rules.js";
import { stringOption, switchOn, type Command, type ParsedArgs } from "../command.js";
import { EXIT_OK, EXIT_PROBLEMS, InputError, UsageError, exitCodeForSignal, fromOsError } from "../errors.js";
import type { CliIo, Writer } from "../io.js";
import { escapeText } from "../_text.js";

/** The version of the `--json` output's shape. */
export const LOG_JSON_VERSION = 1;

// Severity of the levels writers use; a level not listed cannot be ranked and is always shown.
const RANK: Readonly<Record<string, number>> = { DEBUG: 10, INFO: 20, WARN: 30, WARNING: 30, ERROR: 40, CRITICAL: 50, FATAL: 50 };

/** Which records to print. Raw records go with the entry before them in their file. */
interface Filter {
  minRank: number | undefined;
  since: number | undefined;
  run: string | undefined;
}

function parseFilter(args: ParsedArgs): Filter {
  const level = stringOption(args, "level");
  const minRank = level === undefined ? undefined : RANK[level.toUpperCase()];
  if (level !== undefined && minRank === undefined) {
    throw new UsageError(`Expected --level to be one of DEBUG, INFO, WARN, WARNING, ERROR, CRITICAL, got \`${escapeText(level)}\``, "log");
  }
  const sinceText = stringOption(args, "since");
  let since: number | undefined;
  if (sinceText !== undefined) {
    const full = /^\d{4}-\d{2}-\d{2}$/.test(sinceText) ? `${sinceText}T00:00:00Z` : sinceText;
    if (!isTimestamp(full)) throw new UsageError(`Expected --since to be YYYY-MM-DDTHH:MM:SSZ or YYYY-MM-DD (UTC), got \`${escapeText(sinceText)}\``, "log");
    since = Date.parse(full);
  }
  return { minRank, since, run: stringOption(args, "run") };
}

/** Decides record by record; remembers, per file, whether the last entry was shown. */
function selector(filter: Filter): (r: LogRecord) => boolean {
  const shownLast = new Map<string, boolean>();
  const none = filter.minRank === undefined && filter.since === undefined && filter.run === undefined;
  return (r) => {
    if (r.kind === "raw") return shownLast.get(r.file) ?? none;
    const rank = RANK[(r.level ?? "").toUpperCase()];
    const keep =
      (filter.minRank === undefined || rank === undefined || rank >= filter.minRank) &&
      (filter.since === undefined || (r.time ?? 0) >= filter.since) &&
      (filter.run === undefined || r.tags.run === filter.run);
    shownLast.set(r.file, keep);
    return keep;
  };
}

/** A record as `--json` prints it. */
function recordJson(r: LogRecord): Record<string, unknown> {
  return {
    kind: r.kind,
    ...(r.reason === undefined ? {} : { reason: r.reason }),
    host: r.host,
    file: r.file,
    line: r.line,
    timestamp: r.timestamp ?? null,
    level: r.level ?? null,
    tags: r.tags,
    message: r.message,
    continuation: r.continuation,
    truncated: r.truncated,
    invalid_utf8: r.invalidUtf8,
    text: r.text,
  };
}

/** The lines a record prints for people: each physical line, escaped, after its host. */
function recordText(r: LogRecord): string {
  const mark = r.reason === "overlong" ? " [line cut]" : r.reason === "malformed" ? " [unparsed]" : "";
  return [r.text + mark, ...r.continuation].map((l) => `${escapeText(r.host)}: ${escapeText(l)}\n`).join("");
}

/** Write, waiting while a slow reader's pipe is full so output never piles up in memory. */
async function put(out: Writer, text: string): Promise<void> {
  if (out.write(text) !== false) return;
  const stream = out as Partial<NodeJS.WritableStream>;
  if (typeof stream.once === "function") await new Promise<void>((r) => stream.once?.("drain", () => r()));
}

/** `<folder>/.exlab-wizard` when the folder has one (an equipment, project or run folder), else the folder. */
async function logFolder(given: string): Promise<string> {
  const folder = resolve(given);
  try {
    if (!(await stat(folder)).isDirectory()) throw new InputError("not_a_directory", folder, "not a directory");
  } catch (err) {
    throw fromOsError(err, folder);
  }
  if (basename(folder) === ".exlab-wizard") return folder;
  const cache = join(folder, ".exlab-wizard");
  return (await stat(cache).catch(() => undefined))?.isDirectory() === true ? cache : folder;
}

async function printAll(io: CliIo, folder: string, keep: (r: LogRecord) => boolean, json: boolean): Promise<number> {
  let unreadable = 0;
  if (json) {
    const files = (await logFiles(folder)).map((f) => ({ host: f.host, path: f.path }));
    await put(io.stdout, `{"version":${LOG_JSON_VERSION},"folder":${JSON.stringify(folder)},"files":${JSON.stringify(files)},"records":[`);
  }
  let n = 0;
  for await (const r of readLog(folder)) {
    if (r.reason === "unreadable") unreadable++;
    if (r.reason === "unreadable" && !json) io.stderr.write(`warning: cannot read ${escapeText(r.file)}: ${escapeText(r.message)}\n`);
    else if (keep(r) || r.reason === "unreadable") await put(io.stdout, json ? `${n++ === 0 ? "" : ","}\n${JSON.stringify(recordJson(r))}` : recordText(r));
  }
  if (json) await put(io.stdout, "\n]}\n");
  return unreadable > 0 ? EXIT_PROBLEMS : EXIT_OK;
}

async function follow(io: CliIo, folder: string, keep: (r: LogRecord) => boolean, json: boolean): Promise<number> {
  const controller = new AbortController();
  let signalName: string | undefined;
  const unhook = io.onStop?.((signal) => {
    signalName = signal;
    controller.abort();
  });
  const line = (value: Record<string, unknown>): string => `${JSON.stringify({ version: LOG_JSON_VERSION, ...value })}\n`;
  try {
    for await (const e of followLog(folder, { signal: controller.signal })) await show(io, e, keep, json, line);
  } finally {
    unhook?.();
  }
  if (json) await put(io.stdout, line({ event: "stopped", signal: signalName ?? null }));
  // As `sync --watch`: SIGTERM is a service manager's clean stop (0); any
  // other stop signal (Ctrl-C, a closed terminal, Ctrl-Break) gives its code.
  return signalName === undefined || signalName === "SIGTERM" ? EXIT_OK : exitCodeForSignal(signalName);
}

async function show(io: CliIo, e: FollowEvent, keep: (r: LogRecord) => boolean, json: boolean, line: (v: Record<string, unknown>) => string): Promise<void> {
  if (e.event !== "record") {
    const words = { file_added: "new file", file_truncated: "file truncated, reading from its start", file_replaced: "file replaced, reading the new one", file_removed: "file removed" }[e.event];
    if (json) await put(io.stdout, line({ event: e.event, host: e.host, file: e.file }));
    else io.stderr.write(`exlab-cache log: ${escapeText(e.file)}: ${words}\n`);
    return;
  }
  const r = e.record;
  if (r.reason === "unreadable") {
    if (json) await put(io.stdout, line({ event: "record", ...recordJson(r) }));
    else io.stderr.write(`warning: cannot read ${escapeText(r.file)}: ${escapeText(r.message)}\n`);
  } else if (keep(r)) {
    await put(io.stdout, json ? line({ event: "record", ...recordJson(r) }) : recordText(r));
  }
}

/** The `log` command. */
export const logCommand: Command = {
  name: "log",
  positionals: ["<folder>"],
  options: [
    { name: "level", type: "string", value: "<level>", help: "Only entries at this level or above (DEBUG, INFO, WARN, ERROR, CRITICAL)" },
    { name: "since", type: "string", value: "<time>", help: "Only entries at or after this UTC time (YYYY-MM-DDTHH:MM:SSZ or YYYY-MM-DD)" },
    { name: "run", type: "string", value: "<run>", help: "Only entries tagged [run:<run>]" },
    { name: "follow", type: "boolean", help: "Keep printing new lines as tail -F does, until stopped (SIGINT, SIGTERM, SIGHUP)" },
  ],
  description: [
    "Reads every wizard.<host>.log in <folder> (or in <folder>/.exlab-wizard) and prints their",
    "lines merged by time, each after its host, with control characters escaped. Lines without",
    "a timestamp follow the entry before them; lines that cannot be parsed are printed as they",
    "are, and go with the entry before them when a filter is given. With --follow, new lines are",
    "printed as they are written; a truncated or replaced file and a new host's file are picked",
    "up. --json prints one document ({version, folder, files, records}); with --follow, one JSON",
    "object per line, each with `version` and `event` (record, file_added, file_truncated,",
    "file_replaced, file_removed, stopped). Exit 1 when a log file could not be read.",
  ].join("\n"),
  example: "log /data/lab/CONFOCAL_01 --level WARN --since 2026-04-17",
  async run(args, io) {
    const json = switchOn(args, "json");
    const keep = selector(parseFilter(args));
    const folder = await logFolder(args.positionals[0] ?? "");
    return switchOn(args, "follow") ? follow(io, folder, keep, json) : printAll(io, folder, keep, json);
  },
};

/** The command, for the table in `../commands.ts`. */
export const command = logCommand;
