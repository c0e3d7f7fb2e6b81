/**
 * `exlab-cache check`: {@link checkTree} for people, or as JSON.
 *
 * @module
 */
import { checkTree } from "../../tree/check.js";
import { switchOn, type Command } from "../command.js";
import { EXIT_OK, EXIT_PROBLEMS } from "../errors.js";
import { count, printJson, styleFor } from "../io.js";
import { escapeText, shownPath } from "../_text.js";
import { withProgress } from "../_tree-progress.js";

/** The `check` command. */
export const command: Command = {
  name: "check",
  positionals: ["<local_root>"],
  options: [],
  description: [
    "Walks <local_root> and reports one finding per line (with --json: {version, root,",
    "equipment_folders, projects, findings: [{rule, path, message, code, field}]}), sorted by",
    "path. Rules: unreadable_file, invalid_file, schema_major_mismatch, id_mismatch,",
    "missing_equipment_json, bad_folder_name, marker_mismatch, run_kind_mismatch,",
    "misplaced_marker, stale_temp_file, timestamps_out_of_order, symlinked_folder,",
    "undecodable_name, temp_named_folder, unsafe_filesystem (NFS, SMB or FUSE: locks do not",
    "exclude). Reads only cache files: run folders are never opened, symlinked folders never",
    "followed. For the application's Problems audit of names and contents (placeholders,",
    "orphans...) see `exlab-cache problems`.",
  ].join("\n"),
  example: "check /data/lab --json",
  async run(args, io) {
    const root = args.positionals[0] ?? "";
    const report = await withProgress(io, "checking", (options) => checkTree(root, options));
    const { findings } = report;
    if (switchOn(args, "json")) {
      printJson(io, report);
    } else {
      const s = styleFor(io, "stdout");
      for (const f of findings) {
        io.stdout.write(`${shownPath(f.path)}: ${s.red(f.rule)}: ${escapeText(f.message)}${f.code === null ? "" : ` ${s.dim(`[${escapeText(f.code)}]`)}`}\n`);
      }
      const summary = `${count(report.equipment_folders, "equipment folder")}, ${count(report.projects, "project")}`;
      io.stdout.write(findings.length === 0 ? `${s.green("ok")}: ${summary}, no problems\n` : `${count(findings.length, "problem")} in ${summary}\n`);
    }
    return findings.length > 0 ? EXIT_PROBLEMS : EXIT_OK;
  },
};
