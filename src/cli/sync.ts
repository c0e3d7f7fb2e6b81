/**
 * `exlab-cache sync`: write or re-sync `equipment.json` for every
 * `equipment[]` entry of a `config.yaml`.
 *
 * An entry whose mirrored fields (id, label, local and NAS roots) already
 * match the file is left untouched — no write, so `last_modified_at` keeps
 * saying when the configuration last changed and a repeated sync is a pure
 * read. Invalid entries are reported and skipped; the valid ones are synced.
 *
 * @module
 */
import { resolve } from "node:path";
import { equipmentJsonPath } from "../cache/paths.js";
import { planEquipmentSync, type EquipmentSyncPlan } from "../cache/plan.js";
import { EquipmentCacheWriter } from "../cache/writer.js";
import { ExlabCacheError, type ErrorEnvelope } from "../errors.js";
import type { EquipmentJson } from "../schema/equipment.js";
import { requiredOption, stringOption, switchOn, type Command } from "./command.js";
import { readEquipmentConfig, type ConfigEntry } from "./config.js";
import { EXIT_OK, EXIT_PROBLEMS, fromOsError, printError } from "./errors.js";
import { count, printJson, styleFor, type CliIo } from "./io.js";
import { warningSink } from "./warnings.js";

/** What happened to one entry (with `--dry-run`: what would happen). */
export type SyncStatus = "created" | "updated" | "unchanged" | "repaired" | "invalid" | "failed";

/** One entry's result, as printed with `--json`. */
export interface SyncResultJson {
  index: number;
  id: string | null;
  line: number | null;
  status: SyncStatus;
  path: string | null;
  /** Mirrored fields that differ from the file (`updated` only). */
  changed: string[];
  /** The record as written, or as found when unchanged. */
  record: EquipmentJson | null;
  /** Why the entry was not synced (`invalid`: one per problem; `failed`: one). */
  errors: ErrorEnvelope["error"][];
}

const ACTION_STATUS: Record<EquipmentSyncPlan["action"], SyncStatus> = { create: "created", update: "updated", unchanged: "unchanged", repair: "repaired" };
const DRY_WORDS: Record<SyncStatus, string> = {
  created: "would create",
  updated: "would update",
  unchanged: "unchanged",
  repaired: "would repair",
  invalid: "invalid",
  failed: "would fail",
};

async function syncEntry(entry: ConfigEntry, root: string | undefined, dryRun: boolean, writer: EquipmentCacheWriter): Promise<SyncResultJson> {
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
  if (entry.input === undefined) return result;
  const input = root === undefined ? entry.input : { ...entry.input, configured_local_root: root };
  const path = equipmentJsonPath(input.configured_local_root, input.id);
  result.path = path;
  try {
    const plan = await planEquipmentSync(path, input);
    result.status = ACTION_STATUS[plan.action];
    if (plan.action === "update") result.changed = [...plan.changed];
    if (plan.action === "unchanged") result.record = plan.current;
    else if (!dryRun) result.record = await writer.writeEquipment(path, input);
  } catch (err) {
    const known = fromOsError(err, path);
    if (!(known instanceof ExlabCacheError)) throw err;
    result.status = "failed";
    result.errors = [known.toEnvelope().error];
  }
  return result;
}

/** The `sync` command. */
export const syncCommand: Command = {
  name: "sync",
  summary: "Write or re-sync equipment.json for every equipment entry of a config.yaml",
  positionals: [],
  options: [
    { name: "config", type: "string", value: "<config.yaml>", help: "The ExLab Wizard config file to read", required: true },
    { name: "root", type: "string", value: "<dir>", help: "Write under this folder instead of each entry's local_root" },
    { name: "dry-run", type: "boolean", help: "Report what would change; write nothing" },
  ],
  description: [
    "Reads the equipment[] entries of config.yaml (other sections are ignored) and writes",
    "<local_root>/<id>/.exlab-wizard/equipment.json for each, where local_root is the entry's",
    "own, else paths.local_root. With --root every file goes under that folder instead, and",
    "configured_local_root records it (made absolute). Reports each entry as created,",
    "updated (with the fields that changed), unchanged (left as it is, not rewritten) or",
    "repaired (a corrupt file was kept aside and replaced). Invalid entries are reported",
    "with their line and skipped; the others are still synced. first_seen_at never changes",
    "once written.",
  ].join("\n"),
  example: "sync --config /etc/exlab-wizard/config.yaml --dry-run",
  async run(args, io) {
    const json = switchOn(args, "json");
    const dryRun = switchOn(args, "dry-run");
    const rootArg = stringOption(args, "root");
    const root = rootArg === undefined ? undefined : resolve(rootArg);
    const config = await readEquipmentConfig(requiredOption(args, "config"));
    const warnings = warningSink(io, json);
    const writer = new EquipmentCacheWriter({ onWarning: warnings.add });
    const results: SyncResultJson[] = [];
    // One at a time: entries are few, and the report stays in file order.
    for (const entry of config.entries) results.push(await syncEntry(entry, root, dryRun, writer));
    const bad = results.some((r) => r.status === "invalid" || r.status === "failed");
    if (json) {
      printJson(io, { config: config.file, root: root ?? null, dry_run: dryRun, results, warnings: warnings.list });
    } else {
      for (const entry of config.entries) for (const e of entry.errors) printError(io, e, false);
      printResults(io, results, dryRun);
    }
    return bad ? EXIT_PROBLEMS : EXIT_OK;
  },
};

function printResults(io: CliIo, results: readonly SyncResultJson[], dryRun: boolean): void {
  const s = styleFor(io, "stdout");
  const colour: Record<SyncStatus, (t: string) => string> = {
    created: s.green,
    updated: s.yellow,
    unchanged: s.dim,
    repaired: s.yellow,
    invalid: s.red,
    failed: s.red,
  };
  const word = (st: SyncStatus): string => (dryRun ? DRY_WORDS[st] : st);
  const wWidth = Math.max(0, ...results.map((r) => word(r.status).length));
  const names = results.map((r) => r.id ?? `equipment.${r.index}`);
  const nWidth = Math.max(0, ...names.map((n) => n.length));
  results.forEach((r, i) => {
    let tail = r.path ?? "";
    if (r.status === "updated") tail = `${r.changed.join(", ")}  ${r.path ?? ""}`;
    if (r.status === "invalid") tail = `line ${r.line ?? "?"}: not synced (see errors above)`;
    if (r.status === "failed") tail = r.errors.map((e) => `${e.message} [${e.code}]`).join("; ");
    io.stdout.write(`${colour[r.status](word(r.status).padEnd(wWidth))}  ${(names[i] ?? "").padEnd(nWidth)}  ${tail}\n`);
  });
  const counts = new Map<SyncStatus, number>();
  for (const r of results) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  const parts = [...counts].map(([st, n]) => `${n} ${word(st)}`);
  const total = count(results.length, "equipment entry", "equipment entries");
  io.stdout.write(`${total}${parts.length > 0 ? `: ${parts.join(", ")}` : ""}${dryRun ? " (dry run: nothing written)" : ""}\n`);
}
