/**
 * The table of commands: each one's name, its line in the help, and how to
 * load it. Loading is deferred until the command is run, so `--help`,
 * `--version` and a mistyped command load no command module, and a command
 * loads only what it uses.
 *
 * Adding a command is one file in `commands/` that exports `command` (see
 * {@link Command}) and one line here.
 *
 * @module
 */
import type { Command } from "./command.js";

/** One row of the table. */
export interface CommandEntry {
  /** As typed: `sync`, `mark-test-runs`... The module's `command.name` is the same. */
  readonly name: string;
  /** One line for the command list of `--help`. */
  readonly summary: string;
  /** Load the command's module. */
  readonly load: () => Promise<Command>;
}

/** Every command, in the order the help lists them. */
export const COMMANDS: readonly CommandEntry[] = [
  { name: "sync", summary: "Write or re-sync equipment.json for every equipment entry of a config.yaml", load: async () => (await import("./commands/sync.js")).command },
  { name: "mark-test-runs", summary: "Write a project's TestRuns/ marker (test_runs.json) once", load: async () => (await import("./commands/mark-test-runs.js")).command },
  { name: "mark-runs", summary: "Write a project's Runs/ marker (runs.json) once", load: async () => (await import("./commands/mark-runs.js")).command },
  { name: "show", summary: "Decode, validate and print one cache file", load: async () => (await import("./commands/show.js")).command },
  { name: "ls", summary: "List the equipment folders of a tree with their registry records", load: async () => (await import("./commands/ls.js")).command },
  { name: "check", summary: "Check every equipment-level cache file of a tree; exit 1 on any problem", load: async () => (await import("./commands/check.js")).command },
  { name: "problems", summary: "The app's Problems audit over every configured equipment folder; exit 1 on a hard finding", load: async () => (await import("./commands/problems.js")).command },
  { name: "gate", summary: "The app's pre-sync gate on one run folder; exit 1 when blocked or not gateable", load: async () => (await import("./commands/gate.js")).command },
  { name: "runs", summary: "List run folders with their run_kind and sync_status (--unsynced: what recovery must retry)", load: async () => (await import("./commands/runs.js")).command },
  { name: "overrides", summary: "List a run's validation overrides and tombstones, and which are active", load: async () => (await import("./commands/overrides.js")).command },
  { name: "override-add", summary: "Record a validation override on a run's creation.json", load: async () => (await import("./commands/override-add.js")).command },
  { name: "override-revoke", summary: "Revoke a validation override with a tombstone", load: async () => (await import("./commands/override-revoke.js")).command },
  { name: "log", summary: "Merge, filter and follow the wizard.<host>.log activity logs of a folder", load: async () => (await import("./commands/log.js")).command },
  { name: "timeline", summary: "Show one run's history: creation, overrides, marker, ingest steps and log lines", load: async () => (await import("./commands/timeline.js")).command },
  { name: "doctor", summary: "Report whether this machine can write: native binary, lock self-test, a root's filesystem", load: async () => (await import("./commands/doctor.js")).command },
];
