/**
 * `exlab-cache sync`: {@link syncFromConfig} once, or (`--watch`) each time
 * the config is saved.
 *
 * @module
 */
import { resolve } from "node:path";
import { readEquipmentConfig } from "../../config/equipment.js";
import { StoppedError } from "../../errors.js";
import { syncConfig, syncHasProblems } from "../../sync/sync.js";
import { requiredOption, stringOption, switchOn, type Command, type ParsedArgs } from "../command.js";
import { EXIT_OK, EXIT_PROBLEMS, UsageError, exitCodeForSignal, printError, printErrorEnvelope } from "../errors.js";
import { escapeText } from "../_text.js";
import { printJson } from "../io.js";
import { printResults } from "../_sync-report.js";
import { warningSink } from "../warnings.js";

/** The range `--settle-ms` takes: below 10 ms a busy disk splits saves; above 10 min nothing is watched any more. */
const SETTLE_MS = { min: 10, max: 600_000 } as const;

/** `--settle-ms`, checked; undefined when not given. */
function settleMs(args: ParsedArgs, watching: boolean): number | undefined {
  const text = stringOption(args, "settle-ms");
  if (text === undefined) return undefined;
  if (!watching) throw new UsageError("Expected --settle-ms only with --watch", "sync");
  const ms = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(ms >= SETTLE_MS.min && ms <= SETTLE_MS.max)) {
    throw new UsageError(`Expected --settle-ms to be a whole number of milliseconds from ${SETTLE_MS.min} to ${SETTLE_MS.max}, got \`${escapeText(text)}\``, "sync");
  }
  return ms;
}

/** The `sync` command. */
export const command: Command = {
  name: "sync",
  positionals: [],
  options: [
    { name: "config", type: "string", value: "<config.yaml>", help: "The ExLab Wizard config file to read", required: true },
    { name: "root", type: "string", value: "<dir>", help: "Write under this folder instead of each entry's local_root" },
    { name: "create-root", type: "boolean", help: "Create a local_root (or --root) that does not exist" },
    { name: "dry-run", type: "boolean", help: "Report what would change; write nothing" },
    { name: "watch", type: "boolean", help: "Sync, then re-sync on every save of the config until stopped by a signal" },
    { name: "settle-ms", type: "string", value: "<ms>", help: `With --watch: quiet time before a save is read, and between the two reads that must agree (${SETTLE_MS.min}-${SETTLE_MS.max}, default 200)` },
  ],
  description: [
    "Reads the equipment[] entries of config.yaml as the application does (YAML 1.1, `<<`",
    "merges; other sections are ignored) and writes <local_root>/<id>/.exlab-wizard/equipment.json",
    "for each, where local_root is the entry's own, else paths.local_root. A local_root that",
    "does not exist fails that entry (exit 1) and nothing is created, unless --create-root.",
    "With --root the files go under that folder instead; the record still mirrors config.yaml.",
    "Reports each entry as created, updated (with the fields that changed), unchanged (not",
    "rewritten), repaired (a corrupt file was kept aside and replaced), invalid (with its line;",
    "skipped) or failed, as found under the file's lock. first_seen_at never changes once",
    "written. A stop signal (SIGINT, SIGTERM, SIGHUP when the terminal closes; on Windows also",
    "SIGBREAK) abandons lock waits: entries not written are reported as cancelled (exit 128",
    "plus the signal's number: 129 SIGHUP, 130 SIGINT, 143 SIGTERM, 149 SIGBREAK). The config",
    "must be a regular file of at most 1 MiB.",
    "With --watch: one line per pass (one JSON document per line with --json); a save is",
    "synced once the file has stopped changing; a file that cannot be read or parsed is",
    "reported and the next save awaited; SIGTERM exits 0, any other stop signal as above. On",
    "Linux a save is also held back while another process has the file open for writing (up",
    "to 30 s); elsewhere, raise --settle-ms for writers that pause longer mid-save.",
  ].join("\n"),
  example: "sync --config /etc/exlab-wizard/config.yaml --dry-run",
  async run(args, io) {
    const json = switchOn(args, "json");
    const dryRun = switchOn(args, "dry-run");
    const rootArg = stringOption(args, "root");
    const options = { root: rootArg === undefined ? undefined : resolve(rootArg), dryRun, createRoot: switchOn(args, "create-root") };
    // Absolute from here on: every line and document names the file so.
    const file = resolve(requiredOption(args, "config"));
    const warnings = (): { onWarning: ReturnType<typeof warningSink>["add"] } => ({ onWarning: warningSink(io, json).add });
    const settle = settleMs(args, switchOn(args, "watch"));
    if (switchOn(args, "watch")) {
      // Loaded only to watch: a one-shot sync starts without it.
      const { watchConfig } = await import("../watch/watch.js");
      return watchConfig(io, file, json, (config, signal) => syncConfig(config, { ...options, ...warnings(), signal }), { settleMs: settle });
    }
    // Asked to stop, a one-shot sync abandons its lock waits, starts no
    // other entry and reports which were not written.
    const stop = new AbortController();
    const unhook = io.onStop?.((signal) => stop.abort(new StoppedError(signal))) ?? ((): void => undefined);
    try {
      let config;
      try {
        config = await readEquipmentConfig(file, { signal: stop.signal });
      } catch (err) {
        // Stopped while the config was parsed: nothing was written.
        if (!(err instanceof StoppedError)) throw err;
        printError(io, err, json);
        return exitCodeForSignal(err.signal);
      }
      const report = await syncConfig(config, { ...options, ...warnings(), signal: stop.signal });
      if (json) {
        printJson(io, report);
      } else {
        for (const r of report.results) if (r.status === "invalid") for (const e of r.errors) printErrorEnvelope(io, e);
        await printResults(io, report.results, dryRun);
      }
      if (report.results.some((r) => r.status === "cancelled")) {
        const reason: unknown = stop.signal.reason;
        return exitCodeForSignal(reason instanceof StoppedError ? reason.signal : undefined);
      }
      return syncHasProblems(report) ? EXIT_PROBLEMS : EXIT_OK;
    } finally {
      unhook();
    }
  },
};
