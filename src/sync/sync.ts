/**
 * `syncFromConfig`: write or re-sync `equipment.json` for every
 * `equipment[]` entry of a `config.yaml`, as `exlab-cache sync` does.
 *
 * Everything an entry's result says comes from what the writer found and
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
import type { EquipmentSyncPlan } from "../cache/plan.js";
import { EquipmentCacheWriter } from "../cache/writer.js";
import { readEquipmentConfig, type ConfigEntry, type EquipmentConfig } from "../config/equipment.js";
import { ExlabCacheError, InputError, StoppedError, fromOsError, type CacheWarning, type ErrorEnvelope } from "../errors.js";
import { REPORT_VERSION } from "../report.js";
import type { EquipmentJson } from "../schema/equipment.js";

/** What happened to one entry (with `dryRun`: what would happen). */
export type SyncStatus = "created" | "updated" | "unchanged" | "repaired" | "invalid" | "failed" | "cancelled";

/** One entry's result. */
export interface SyncResult {
  /** Index in `equipment[]`, from 0. */
  index: number;
  /** The entry's `id` when it is a string (valid or not). */
  id: string | null;
  /** The line the entry starts on. */
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

/** A repair notice of the writer, as a report lists it. */
export interface SyncWarning {
  code: CacheWarning["code"];
  path: string;
  message: string;
  preserved_at?: string;
}

/** What {@link syncFromConfig} returns, and `exlab-cache sync --json` prints. */
export interface SyncReport {
  /** The report shape's version, {@link REPORT_VERSION}. */
  version: typeof REPORT_VERSION;
  /** The config, as read. */
  config: string;
  /** `root`, absolute, or null when each entry's local_root was used. */
  root: string | null;
  dry_run: boolean;
  /** One per entry, in file order. */
  results: SyncResult[];
  /** The writer's repair notices, in the order they came. */
  warnings: SyncWarning[];
}

/** Options of {@link syncFromConfig}. */
export interface SyncOptions {
  /** Write under this folder instead of each entry's local_root (the record still mirrors the config). */
  root?: string | undefined;
  /** Report what would change; write nothing. @default false */
  dryRun?: boolean | undefined;
  /** Create a local_root (or `root`) that does not exist. @default false */
  createRoot?: boolean | undefined;
  /**
   * Abandons lock waits and starts no other entry: every entry not written
   * is reported `cancelled`. A {@link StoppedError} reason names its signal
   * in those results.
   */
  signal?: AbortSignal | undefined;
  /** Called after each entry with its result and how many of how many are done. */
  onProgress?: ((progress: { result: SyncResult; done: number; total: number }) => void) | undefined;
  /** Called with each repair notice as it happens (they are in the report too). */
  onWarning?: ((warning: CacheWarning) => void) | undefined;
}

const ACTION_STATUS: Record<EquipmentSyncPlan["action"], SyncStatus> = { create: "created", update: "updated", unchanged: "unchanged", repair: "repaired" };

interface Context {
  root: string | undefined;
  dryRun: boolean;
  createRoot: boolean;
  writer: EquipmentCacheWriter;
  signal: AbortSignal | undefined;
}

/**
 * The folder files go under must exist: a missing one is a typo or a data
 * disk that is not mounted, and creating it would fill the system disk.
 * With createRoot it is created on purpose (not on a dry run).
 */
async function ensureRoot(dir: string, ctx: Context): Promise<void> {
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

async function syncEntry(entry: ConfigEntry, ctx: Context): Promise<SyncResult> {
  const result: SyncResult = {
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
  const stopped = (path: string): SyncResult => {
    const reason: unknown = ctx.signal?.reason;
    const signal = reason instanceof StoppedError ? reason.signal : undefined;
    return { ...result, status: "cancelled", errors: [new StoppedError(signal, path).toEnvelope().error] };
  };
  // `root` relocates the file only: the record mirrors config.yaml.
  const base = resolve(ctx.root ?? input.configured_local_root);
  const path = equipmentJsonPath(base, input.id);
  result.path = path;
  if (aborted()) return stopped(path);
  try {
    await ensureRoot(base, ctx);
    if (ctx.dryRun) {
      // Loaded for dry runs only: a sync that writes starts without it.
      const { planEquipmentSync } = await import("../cache/plan.js");
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
 * Sync every entry of an already read `config`, one at a time (entries are
 * few, and the report stays in file order). Never throws for an entry: its
 * problem is in its result.
 *
 * @example
 * ```ts
 * const report = await syncConfig(await readEquipmentConfig(file), { dryRun: true });
 * ```
 */
export async function syncConfig(config: EquipmentConfig, options: SyncOptions = {}): Promise<SyncReport> {
  const warnings: SyncWarning[] = [];
  const writer = new EquipmentCacheWriter({
    onWarning(w) {
      const item: SyncWarning = { code: w.code, path: w.path, message: w.message };
      if (w.preservedAt !== undefined) item.preserved_at = w.preservedAt;
      warnings.push(item);
      options.onWarning?.(w);
    },
  });
  const root = options.root === undefined ? undefined : resolve(options.root);
  const ctx: Context = { root, dryRun: options.dryRun === true, createRoot: options.createRoot === true, writer, signal: options.signal };
  const results: SyncResult[] = [];
  for (const entry of config.entries) {
    const result = await syncEntry(entry, ctx);
    results.push(result);
    options.onProgress?.({ result, done: results.length, total: config.entries.length });
  }
  return { version: REPORT_VERSION, config: config.file, root: root ?? null, dry_run: ctx.dryRun, results, warnings };
}

/**
 * Read `file` as the application reads `config.yaml` and sync each of its
 * `equipment[]` entries to `<local_root>/<id>/.exlab-wizard/equipment.json`.
 *
 * @throws {@link InputError} when the config cannot be read, is not a
 *   regular file or is over 1 MiB; {@link ConfigError} when it is not YAML
 *   as PyYAML reads it or has no `equipment` list. A problem of one entry is
 *   never thrown: it is that entry's result (`invalid`, `failed`).
 * @example
 * ```ts
 * const report = await syncFromConfig("/etc/exlab-wizard/config.yaml", { signal: AbortSignal.timeout(10_000) });
 * for (const r of report.results) console.log(r.status, r.id);
 * ```
 */
export async function syncFromConfig(file: string, options: SyncOptions = {}): Promise<SyncReport> {
  return syncConfig(await readEquipmentConfig(file, { signal: options.signal }), options);
}

/**
 * Whether a report found anything wrong (an invalid or failed entry).
 *
 * @example
 * ```ts
 * if (syncHasProblems(report)) process.exitCode = 1;
 * ```
 */
export function syncHasProblems(report: SyncReport): boolean {
  return report.results.some((r) => r.status === "invalid" || r.status === "failed");
}
