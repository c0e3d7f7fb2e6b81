/**
 * `exlab-cache override-add`: record a validation override on a run folder,
 * under the same lock and with the same checks as the library.
 *
 * @module
 */
import { REPORT_VERSION } from "../../report.js";
import { CreationCacheWriter } from "../../cache/creation.js";
import { PROBLEM_CLASSES } from "../../schema/override-entries.js";
import { requiredOption, stringOption, switchOn, type Command } from "../command.js";
import { EXIT_OK } from "../errors.js";
import { printJson, styleFor } from "../io.js";
import { printRecord } from "../record.js";
import { shownPath } from "../_text.js";
import { runCreationFile } from "../_creation.js";

/** The `override-add` command. */
export const overrideAddCommand: Command = {
  name: "override-add",
  positionals: ["<run_folder>"],
  options: [
    { name: "problem-class", type: "string", value: "<class>", help: `The problem class waived: ${PROBLEM_CLASSES.join(", ")}`, required: true },
    { name: "reason", type: "string", value: "<text>", help: "Why, 10-500 characters", required: true },
    { name: "operator", type: "string", value: "<name>", help: "Who (default: empty)" },
    { name: "expires-at", type: "string", value: "<YYYY-MM-DDTHH:MM:SSZ>", help: "When it stops applying (default: never)" },
  ],
  description: [
    "Appends an override entry to <run_folder>/.exlab-wizard/creation.json under its lock, as",
    "the application's endpoint shapes it: a new UUID v4 id, recorded_at now, revoked false.",
    "An unknown problem class, a reason outside 10-500 characters or a malformed expiry is",
    "refused before anything is locked. Entries are never removed: revoke with override-revoke.",
  ].join("\n"),
  example: 'override-add /data/lab/CONFOCAL_01/PROJ-0042/Runs/Run_2026-04-17T14-32 --problem-class mode_prefix_mismatch --reason "Folder renamed by hand; approved by PI."',
  async run(args, io) {
    const path = await runCreationFile(args.positionals[0] ?? "");
    const operator = stringOption(args, "operator");
    const expires = stringOption(args, "expires-at");
    const entry = await new CreationCacheWriter().addOverride(path, {
      problem_class: requiredOption(args, "problem-class"),
      reason: requiredOption(args, "reason"),
      ...(operator === undefined ? {} : { operator }),
      ...(expires === undefined ? {} : { expires_at: expires }),
    });
    if (switchOn(args, "json")) {
      printJson(io, { version: REPORT_VERSION, path, entry });
    } else {
      io.stdout.write(`${styleFor(io, "stdout").green("override recorded")}  ${shownPath(path)}\n`);
      await printRecord(io, entry);
    }
    return EXIT_OK;
  },
};

/** The command, for the table in `../commands.ts`. */
export const command = overrideAddCommand;
