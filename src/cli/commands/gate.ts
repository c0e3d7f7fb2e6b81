/**
 * `exlab-cache gate`: the application's pre-sync gate verdict on one run.
 *
 * @module
 */
import { REPORT_VERSION } from "../../report.js";
import { statSync } from "node:fs";
import { gateRun } from "../../tree/gate.js";
import { switchOn, type Command } from "../command.js";
import { EXIT_OK, EXIT_PROBLEMS, InputError } from "../errors.js";
import { printJson, styleFor } from "../io.js";
import { escapeText, shownPath } from "../_text.js";

/** The `gate` command. */
export const gateCommand: Command = {
  name: "gate",
  positionals: ["<run folder>"],
  options: [{ name: "app-compatible", type: "boolean", help: "Judge a Windows drive prefix (C:\\) of the recorded path as the application does" }],
  description: [
    "Judges the path the run's creation.json records, the names of the files directly in the",
    "run folder and its run_kind, as the application's gate does before queueing a NAS sync.",
    "Prints eligible, blocked (with the blocking findings) or not gateable (with the reason: a",
    "missing or unreadable record, another schema major). Content and subfolders are not looked",
    "at: `exlab-cache problems` audits those. See docs/problems.md.",
  ].join("\n"),
  example: "gate /data/lab/CONFOCAL_01/PROJ-0042/Runs/Run_2026-04-17T14-32",
  async run(args, io) {
    const run = args.positionals[0] ?? "";
    let isDir = false;
    try {
      isDir = statSync(run).isDirectory();
    } catch (err) {
      throw new InputError("not_found", run, "no such folder", { cause: err, osCode: "ENOENT" });
    }
    if (!isDir) throw new InputError("not_a_directory", run, "is not a folder");
    const v = await gateRun(run, { appCompatible: switchOn(args, "app-compatible") });
    if (switchOn(args, "json")) {
      printJson(io, { version: REPORT_VERSION, ...v });
    } else {
      const s = styleFor(io, "stdout");
      if (v.status === "not_gateable") {
        io.stdout.write(`${shownPath(run)}: ${s.red("not gateable")}: ${escapeText(v.reason.message)} ${s.dim(`[${v.reason.code}]`)}\n`);
      } else {
        io.stdout.write(`${shownPath(run)}: ${v.status === "eligible" ? s.green("eligible") : s.red("blocked")}\n`);
        for (const f of v.blocking) io.stdout.write(`  ${f.rule}: ${escapeText(f.offending_path)}: ${escapeText(f.rule_detail)}\n`);
        const covered = v.findings.filter((f) => f.tier === "hard" && v.active_overrides.includes(f.rule));
        for (const f of covered) io.stdout.write(`  ${s.dim(`overridden ${f.rule}: ${escapeText(f.offending_path)}`)}\n`);
      }
    }
    return v.status === "eligible" ? EXIT_OK : EXIT_PROBLEMS;
  },
};

/** The command, for the table in `../commands.ts`. */
export const command = gateCommand;
