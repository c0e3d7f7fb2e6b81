/**
 * `exlab-cache overrides`: the validation overrides of a run folder, each
 * with its state now (active, revoked, expired, tombstone), and the problem
 * classes the pre-sync gate would waive.
 *
 * @module
 */
import { REPORT_VERSION } from "../../report.js";
import { CreationCacheWriter } from "../../cache/creation.js";
import type { CreationJson } from "../../schema/kinds/creation.js";
import { pythonTruthy, selectActiveOverrides } from "../../schema/overrides.js";
import { switchOn, type Command } from "../command.js";
import { EXIT_OK, fromOsError } from "../errors.js";
import { count, printJson, styleFor } from "../io.js";
import { columnsFor, escapeText, shownPath } from "../_text.js";
import { runCreationFile } from "../_creation.js";

/** What an entry is now. */
export type EntryState = "active" | "revoked" | "expired" | "tombstone";

const text = (v: unknown): string => (v === undefined || v === null ? "-" : escapeText(typeof v === "string" ? v : JSON.stringify(v)));

/** The `overrides` command. */
export const overridesCommand: Command = {
  name: "overrides",
  positionals: ["<run_folder>"],
  options: [],
  description: [
    "Reads <run_folder>/.exlab-wizard/creation.json (no lock) and lists its override entries in",
    "order, each with its state now: active, revoked (a tombstone names it), expired, or",
    "tombstone. The problem classes of the active ones are what the pre-sync gate waives.",
  ].join("\n"),
  example: "overrides /data/lab/CONFOCAL_01/PROJ-0042/Runs/Run_2026-04-17T14-32",
  async run(args, io) {
    const path = await runCreationFile(args.positionals[0] ?? "");
    let record: CreationJson;
    try {
      record = await new CreationCacheWriter().read(path);
    } catch (err) {
      throw fromOsError(err, path);
    }
    const entries = record.validation_overrides;
    const active = new Set(selectActiveOverrides(entries, Date.now()));
    const revokedIds = new Set(entries.filter((e) => pythonTruthy(e["revoked"])).map((e) => e["revokes"]));
    const stateOf = (e: (typeof entries)[number]): EntryState =>
      pythonTruthy(e["revoked"]) ? "tombstone" : active.has(e) ? "active" : revokedIds.has(e["id"]) ? "revoked" : "expired";
    const rows = entries.map((e) => ({ state: stateOf(e), entry: e }));
    const waived = [...new Set([...active].map((e) => e["problem_class"]).filter((c): c is string => typeof c === "string"))];
    if (switchOn(args, "json")) {
      printJson(io, { version: REPORT_VERSION, path, overrides: rows, active_problem_classes: waived });
      return EXIT_OK;
    }
    const s = styleFor(io, "stdout");
    io.stdout.write(`${s.bold(shownPath(path))}\n`);
    const table = [
      ["STATE", "ID", "CLASS / REVOKES", "RECORDED", "EXPIRES", "OPERATOR", "REASON"],
      ...rows.map(({ state, entry: e }) => [
        state,
        text(e["id"]),
        text(state === "tombstone" ? e["revokes"] : e["problem_class"]),
        text(e["recorded_at"]),
        state === "tombstone" ? "-" : e["expires_at"] === null || e["expires_at"] === undefined ? "never" : text(e["expires_at"]),
        text(e["operator"] === "" ? undefined : e["operator"]),
        text(e["reason"]),
      ]),
    ];
    const cols = await columnsFor(table.flat());
    const widths = (table[0] ?? []).map((_, c) => Math.max(...table.map((cells) => cols.width(cells[c] ?? ""))));
    table.forEach((cells, i) => {
      const line = cells.map((c, j) => (j === cells.length - 1 ? c : cols.pad(c, widths[j] ?? 0))).join("  ");
      io.stdout.write(`${i === 0 ? s.bold(line) : rows[i - 1]?.state === "active" ? s.green(line) : s.dim(line)}\n`);
    });
    io.stdout.write(`${count(rows.length, "entry", "entries")}; waived now: ${waived.length === 0 ? "nothing" : waived.map(escapeText).join(", ")}\n`);
    return EXIT_OK;
  },
};

/** The command, for the table in `../commands.ts`. */
export const command = overridesCommand;
