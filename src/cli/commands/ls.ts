/**
 * `exlab-cache ls`: the equipment registry of a tree at a glance.
 *
 * @module
 */
import { checkTree } from "../tree/rules.js";
import type { EquipmentScan } from "../tree/scan.js";
import { ExlabCacheError } from "../errors.js";
import { RUNS, TEST_RUNS } from "../schema/marker.js";
import { switchOn, type Command } from "./command.js";
import { EXIT_OK } from "./errors.js";
import { count, printJson, styleFor } from "./io.js";
import { displayWidth, escapeText, padDisplay, shownPath } from "./_text.js";
import { walk } from "./_walk.js";

/** One row of `ls --json`. */
export interface LsRowJson {
  /** The folder name. */
  id: string;
  label: string | null;
  first_seen_at: string | null;
  last_modified_at: string | null;
  /** Project folder names, sorted. */
  projects: string[];
  /** Projects whose `TestRuns/` holds a `test_runs.json`. */
  test_runs: string[];
  /** Projects whose `Runs/` holds a `runs.json`. */
  runs: string[];
  /** Why there is no record to show (`missing_equipment_json`, or the read error's code). */
  error: { code: string; message: string } | null;
}

function row(eq: EquipmentScan): LsRowJson {
  const rec = eq.equipment?.record;
  const withMarker = (folder: string, file: string): string[] =>
    eq.projects.filter((p) => p.runFolders.some((rf) => rf.name === folder && rf.markers.some((m) => m.fileName === file))).map((p) => p.name);
  let error: LsRowJson["error"] = null;
  const err = eq.error ?? eq.equipment?.error;
  if (err !== undefined) error = { code: err instanceof ExlabCacheError ? err.code : (err.code ?? "io_error"), message: err.message };
  else if (eq.equipment === undefined) error = { code: "missing_equipment_json", message: "no .exlab-wizard/equipment.json" };
  return {
    id: eq.name,
    label: rec?.label ?? null,
    first_seen_at: rec?.first_seen_at ?? null,
    last_modified_at: rec?.last_modified_at ?? null,
    projects: eq.projects.map((p) => p.name),
    test_runs: withMarker(TEST_RUNS.place.folder, TEST_RUNS.file),
    runs: withMarker(RUNS.place.folder, RUNS.file),
    error,
  };
}

/** The `ls` command. */
export const lsCommand: Command = {
  name: "ls",
  summary: "List the equipment folders of a tree with their registry records",
  positionals: ["<local_root>"],
  options: [],
  description: [
    "One row per equipment folder under <local_root>: id, label, first seen, last modified,",
    "number of projects, and which projects have a TestRuns/ (test) or Runs/ (experimental)",
    "marker. Reads only cache files. Exits 0 whenever the tree could be listed; use",
    "`exlab-cache check` to judge it.",
  ].join("\n"),
  example: "ls /data/lab",
  async run(args, io) {
    const root = args.positionals[0] ?? "";
    const scan = await walk(io, root, "listing");
    const rows = scan.equipment.map(row);
    const problems = checkTree(scan).length;
    if (switchOn(args, "json")) {
      printJson(io, { root, equipment: rows, problems });
      return EXIT_OK;
    }
    const s = styleFor(io, "stdout");
    if (rows.length === 0) {
      io.stdout.write(`No equipment folders under ${shownPath(root)}\n`);
      return EXIT_OK;
    }
    const list = (names: string[]): string => (names.length === 0 ? "-" : names.map(escapeText).join(", "));
    const table = [
      ["ID", "LABEL", "FIRST SEEN", "LAST MODIFIED", "PROJECTS", "TEST RUNS", "RUNS"],
      ...rows.map((r) => [
        escapeText(r.id),
        r.label !== null ? escapeText(r.label) : (r.error?.code === "missing_equipment_json" ? "(no equipment.json)" : `(${r.error?.code ?? "?"})`),
        r.first_seen_at ?? "-",
        r.last_modified_at ?? "-",
        String(r.projects.length),
        list(r.test_runs),
        list(r.runs),
      ]),
    ];
    const widths = table[0]?.map((_, c) => Math.max(...table.map((cells) => displayWidth(cells[c] ?? "")))) ?? [];
    table.forEach((cells, i) => {
      const line = cells.map((c, j) => (j === cells.length - 1 ? c : padDisplay(c, widths[j] ?? 0))).join("  ");
      io.stdout.write(`${i === 0 ? s.bold(line) : rows[i - 1]?.error !== null ? s.red(line) : line}\n`);
    });
    const projects = rows.reduce((n, r) => n + r.projects.length, 0);
    let footer = `${count(rows.length, "equipment folder")}, ${count(projects, "project")}`;
    if (problems > 0) footer += `; ${count(problems, "problem")}: run \`exlab-cache check ${shownPath(root)}\``;
    io.stdout.write(`${footer}\n`);
    return EXIT_OK;
  },
};
