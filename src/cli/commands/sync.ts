/**
 * `exlab-cache sync`: write or re-sync `equipment.json` for every
 * `equipment[]` entry of a `config.yaml`, once or (`--watch`) each time the
 * file is saved.
 *
 * Everything an entry's report says comes from what the writer found and
 * did under the file's lock: an entry whose mirrored fields (id, label,
 * local and NAS roots) already match is left untouched (no write, so
 * `last_modified_at` keeps saying when the configuration last changed),
 * though its lock is still taken so that a crashed writer's temp file is
 * swept. Invalid entries are reported and skipped; the valid ones are synced.
 *
 * @module
 */
import { mkdir, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { equipmentJsonPath } from "../cache/paths.js";
import { planEquipmentSync, type EquipmentSyncPlan } from "../cache/plan.js";
import { EquipmentCacheWriter } from "../cache/writer.js";
import { ExlabCacheError, type ErrorEnvelope } from "../errors.js";
import type { EquipmentJson } from "../schema/equipment.js";
import { requiredOption, stringOption, switchOn, type Command } from "./command.js";
import { readEquipmentConfig, type ConfigEntry, type EquipmentConfig } from "../config/equipment.js";
import { EXIT_FATAL, EXIT_OK, EXIT_PROBLEMS, InputError, StoppedError, fromOsError, printError } from "./errors.js";
import { printJson, type CliIo } from "./io.js";
import { printResults } from "./_sync-report.js";
import { watchConfig } from "./_watch.js";
import { warningSink, type WarningJson } from "./warnings.js";

/** What happened to one entry (with `--dry-run`: what would happen). */
export type SyncStatus = "created" | "updated" | "unchanged" | "repaired" | "invalid" | "failed" | "cancelled";

/** One entry's result, as printed with `--json`. */
export interface SyncResultJson {
  index: number;
  id: string | null;
  line: number | null;
  status: SyncStatus;
  /** The file, absolute. */
  path: string | null;
  /** Mirrored fields that differ from the file (`updated` only). */
  changed: string[];
  /** The record as written, or as found when unchanged. */
  record: EquipmentJson | null;
  /** Why the entry was not synced (`invalid`: one per problem; `failed`, `cancelled`: one). */
  errors: ErrorEnvelope["error"][];
}

/** One sync pass over a config, as printed with `--json`. */
export interface SyncReportJson {
  config: string;
  root: string | null;
  dry_run: boolean;
  results: SyncResultJson[];
  warnings: WarningJson[];
}

const ACTION_STATUS: Record<EquipmentSyncPlan["action"], SyncStatus> = { create: "created", update: "updated", unchanged: "unchanged", repair: "repaired" };

/** How one pass runs. */
interface SyncContext {
  /** `--root`, absolute: where files go instead of each entry's local_root. */
  root: string | undefined;
  dryRun: boolean;
  createRoot: boolean;
  writer: EquipmentCacheWriter;
  /**
   * Aborted (with a {@link StoppedError}) when the process is asked to
   * stop: lock waits are abandoned and no entry is started after it.
   */
  signal: AbortSignal | undefined;
}

/**
 * The folder files go under must exist: a missing one is a typo or a data
 * disk that is not mounted, and creating it would fill the system disk.
 * With --create-root it is created on purpose (not on a dry run).
 */
async function ensureRoot(dir: string, ctx: SyncContext): Promise<void> {
  try {
    if ((await stat(dir)).isDirectory()) return;
    throw new InputError("not_a_directory", dir, "local_root is not a directory");
  } catch (err) {
    const e = fromOsError(err, dir);
    if (!(e instanceof InputError) || e.code !== "not_found") throw e;
    if (!ctx.createRoot) {
      throw new InputError("not_found", dir, "local_root does not exist; nothing was created (pass --create-root to create it)", { cause: err, osCode: "ENOENT" });
    }
    if (!ctx.dryRun) await mkdir(dir, { recursive: true });
  }
}

async function syncEntry(entry: ConfigEntry, ctx: SyncContext): Promise<SyncResultJson> {
  const result: SyncResultJson = {
    index: entry.index,
    id: entry.id ?? null,
    line: entry.position?.line ?? null,
    status: "invalid",
    path: null,
    changed: [],
    record: null,
    errors: entry.errors.map((e) => e.toEnvelope().error),
  };
  const input = entry.input;
  if (input === undefined) return result;
  // A function, not a property read: the signal may abort while this waits.
  const aborted = (): boolean => ctx.signal?.aborted === true;
  const stopped = (path: string): SyncResultJson => {
    const reason: unknown = ctx.signal?.reason;
    const signal = reason instanceof StoppedError ? reason.signal : undefined;
    return { ...result, status: "cancelled", errors: [new StoppedError(signal, path).toEnvelope().error] };
  };
  // --root relocates the file only: the record mirrors config.yaml.
  const base = resolve(ctx.root ?? input.configured_local_root);
  const path = equipmentJsonPath(base, input.id);
  result.path = path;
  if (aborted()) return stopped(path);
  try {
    await ensureRoot(base, ctx);
    if (ctx.dryRun) {
      const plan = await planEquipmentSync(path, input);
      result.status = ACTION_STATUS[plan.action];
      if (plan.action === "update") result.changed = [...plan.changed];
      if (plan.action === "unchanged") result.record = plan.current;
    } else {
      const outcome = await ctx.writer.syncEquipment(path, input, { signal: ctx.signal });
      result.status = outcome.status;
      result.changed = [...outcome.changed];
      result.record = outcome.record;
    }
  } catch (err) {
    // The lock wait was abandoned: nothing was written for this entry.
    if (aborted() && err === ctx.signal?.reason) return stopped(path);
    const known = fromOsError(err, path);
    if (!(known instanceof ExlabCacheError)) throw err;
    result.status = "failed";
    result.errors = [known.toEnvelope().error];
  }
  return result;
}

/**
 * Sync every entry of `config` once, one at a time (entries are few, and the
 * report stays in file order). Never throws for an entry: its problem is in
 * its result.
 *
 * @example
 * ```ts
 * const report = await syncPass(io, await readEquipmentConfig(file), { root: undefined, dryRun: false, createRoot: false, signal: undefined }, false);
 * ```
 */
export async function syncPass(io: CliIo, config: EquipmentConfig, ctx: Omit<SyncContext, "writer">, json: boolean): Promise<SyncReportJson> {
  const warnings = warningSink(io, json);
  const writer = new EquipmentCacheWriter({ onWarning: warnings.add });
  const results: SyncResultJson[] = [];
  for (const entry of config.entries) results.push(await syncEntry(entry, { ...ctx, writer }));
  return { config: config.file, root: ctx.root ?? null, dry_run: ctx.dryRun, results, warnings: warnings.list };
}

/**
 * Whether a pass found anything wrong (an invalid or failed entry).
 *
 * @example
 * ```ts
 * return hasProblems(report) ? EXIT_PROBLEMS : EXIT_OK;
 * ```
 */
export function hasProblems(report: SyncReportJson): boolean {
  return report.results.some((r) => r.status === "invalid" || r.status === "failed");
}

/** The `sync` command. */
export const syncCommand: Command = {
  name: "sync",
  summary: "Write or re-sync equipment.json for every equipment entry of a config.yaml",
  positionals: [],
  options: [
    { name: "config", type: "string", value: "<config.yaml>", help: "The ExLab Wizard config file to read", required: true },
    { name: "root", type: "string", value: "<dir>", help: "Write under this folder instead of each entry's local_root" },
    { name: "create-root", type: "boolean", help: "Create a local_root (or --root) that does not exist" },
    { name: "dry-run", type: "boolean", help: "Report what would change; write nothing" },
    { name: "watch", type: "boolean", help: "Sync, then re-sync on every save of the config until SIGINT/SIGTERM" },
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
    "written. SIGINT/SIGTERM abandon lock waits: entries not written are reported as",
    "cancelled (exit 2). The config must be a regular file of at most 16 MiB.",
    "With --watch: one line per pass (one JSON document per line with --json); a save is",
    "synced once the file has stopped changing; a file that cannot be read or parsed is",
    "reported and the next save awaited; SIGINT/SIGTERM exit 0.",
  ].join("\n"),
  example: "sync --config /etc/exlab-wizard/config.yaml --dry-run",
  async run(args, io) {
    const json = switchOn(args, "json");
    const dryRun = switchOn(args, "dry-run");
    const rootArg = stringOption(args, "root");
    const ctx = { root: rootArg === undefined ? undefined : resolve(rootArg), dryRun, createRoot: switchOn(args, "create-root") };
    // Absolute from here on: every line and document names the file so.
    const file = resolve(requiredOption(args, "config"));
    if (switchOn(args, "watch")) return watchConfig(io, file, json, (config, signal) => syncPass(io, config, { ...ctx, signal }, json));
    // Asked to stop, a one-shot sync abandons its lock waits, starts no
    // other entry and reports which were not written (exit 2).
    const stop = new AbortController();
    const unhook = io.onStop?.((signal) => stop.abort(new StoppedError(signal))) ?? ((): void => undefined);
    try {
      const config = await readEquipmentConfig(file);
      const report = await syncPass(io, config, { ...ctx, signal: stop.signal }, json);
      if (json) {
        printJson(io, report);
      } else {
        for (const entry of config.entries) for (const e of entry.errors) printError(io, e, false);
        printResults(io, report.results, dryRun);
      }
      if (report.results.some((r) => r.status === "cancelled")) return EXIT_FATAL;
      return hasProblems(report) ? EXIT_PROBLEMS : EXIT_OK;
    } finally {
      unhook();
    }
  },
};
