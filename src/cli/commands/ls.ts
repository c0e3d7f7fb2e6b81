/**
 * `exlab-cache ls`: {@link listTree} as a table that fits the terminal, or
 * as JSON.
 *
 * @module
 */
import { listTree, type ListRow } from "../../tree/list.js";
import { switchOn, type Command } from "../command.js";
import { EXIT_OK } from "../errors.js";
import { count, printJson, styleFor, type CliIo } from "../io.js";
import { columnsFor, escapeText, shownPath } from "../_text.js";
import { withProgress } from "../_tree-progress.js";

/** The narrowest the label column is squeezed to before lines are cut. */
const MIN_LABEL = 8;
const GAP = 2;
/** The column left out first when a terminal is too narrow. */
const FIRST_SEEN = 2;

/** The table's cells: counts of marked projects, or (`wide`) their names. */
function cells(r: ListRow, wide: boolean): string[] {
  const list = (names: string[]): string => (wide ? (names.length === 0 ? "-" : names.map(escapeText).join(", ")) : String(names.length));
  const label = r.label !== null ? escapeText(r.label) : r.error?.code === "missing_equipment_json" ? "(no equipment.json)" : `(${r.error?.code ?? "?"})`;
  return [escapeText(r.id), label, r.first_seen_at ?? "-", r.last_modified_at ?? "-", String(r.projects.length), list(r.test_runs), list(r.runs)];
}

/**
 * The lines of the table. On a terminal it fits `io.columns`: the label
 * column is narrowed first, then FIRST SEEN is left out, then whatever still
 * overflows is cut with `…`. Anywhere else nothing is cut or left out, so a
 * pipe or a file gets every value whole.
 */
async function layout(io: CliIo, full: string[][]): Promise<string[]> {
  const c = await columnsFor(full.flat());
  const limit = io.isTTY.stdout ? Math.max(20, io.columns ?? 80) : Infinity;
  const widthsOf = (table: string[][]): number[] => table[0]?.map((_, col) => Math.max(...table.map((row) => c.width(row[col] ?? "")))) ?? [];
  const total = (widths: number[]): number => widths.reduce((a, b) => a + b, 0) + GAP * (widths.length - 1);
  const squeeze = (widths: number[]): number[] => {
    const label = widths[1] ?? 0;
    const over = total(widths) - limit;
    if (over > 0 && label > MIN_LABEL) widths[1] = Math.max(MIN_LABEL, label - over);
    return widths;
  };
  let table = full;
  let widths = squeeze(widthsOf(table));
  if (total(widths) > limit) {
    table = full.map((row) => row.filter((_, c) => c !== FIRST_SEEN));
    widths = squeeze(widthsOf(table));
  }
  return table.map((row) => {
    const line = row.map((cell, j) => {
      const w = widths[j] ?? 0;
      const fitted = c.cut(cell, w);
      return j === row.length - 1 ? fitted : c.pad(fitted, w);
    });
    const text = line.join(" ".repeat(GAP));
    return c.cut(text, limit);
  });
}

/** The `ls` command. */
export const command: Command = {
  name: "ls",
  positionals: ["<local_root>"],
  options: [{ name: "wide", type: "boolean", help: "List the projects with a test or experimental marker by name, not by count" }],
  description: [
    "One row per equipment folder under <local_root>: id, label, first seen, last modified,",
    "number of projects, and how many projects have a TestRuns/ (test) or Runs/ (experimental)",
    "marker (--wide: which). On a terminal the rows fit its width (labels shortened, then",
    "FIRST SEEN left out, then rows cut with …); piped or redirected, nothing is cut.",
    "Reads only cache files. Exits 0 whenever the tree could be listed; use",
    "`exlab-cache check` to judge it.",
  ].join("\n"),
  example: "ls /data/lab --wide",
  async run(args, io) {
    const root = args.positionals[0] ?? "";
    const report = await withProgress(io, "listing", (options) => listTree(root, options));
    if (switchOn(args, "json")) {
      printJson(io, report);
      return EXIT_OK;
    }
    const rows = report.equipment;
    const s = styleFor(io, "stdout");
    if (rows.length === 0) {
      io.stdout.write(`No equipment folders under ${shownPath(root)}\n`);
      return EXIT_OK;
    }
    const head = ["ID", "LABEL", "FIRST SEEN", "LAST MODIFIED", "PROJECTS", "TEST RUNS", "RUNS"];
    const lines = await layout(io, [head, ...rows.map((r) => cells(r, switchOn(args, "wide")))]);
    lines.forEach((line, i) => {
      io.stdout.write(`${i === 0 ? s.bold(line) : rows[i - 1]?.error !== null ? s.red(line) : line}\n`);
    });
    const projects = rows.reduce((n, r) => n + r.projects.length, 0);
    let footer = `${count(rows.length, "equipment folder")}, ${count(projects, "project")}`;
    if (report.problems > 0) footer += `; ${count(report.problems, "problem")}: run \`exlab-cache check ${shownPath(root)}\``;
    io.stdout.write(`${footer}\n`);
    return EXIT_OK;
  },
};
