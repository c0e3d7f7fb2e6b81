/**
 * `exlab-cache override-add`: record a validation override on a run folder,
 * under the same lock and with the same checks as the library.
 *
 * @module
 */
import { PROBLEM_CLASSES } from "../../schema/override-entries.js";
import { requiredOption, stringOption, type Command } from "../command.js";
import { runOverrideWrite } from "../_override-write.js";

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
    "refused before anything is locked (exit 2); a creation.json that breaks its schema is exit 1.",
    "Entries are never removed: revoke with override-revoke.",
  ].join("\n"),
  example: 'override-add /data/lab/CONFOCAL_01/PROJ-0042/Runs/Run_2026-04-17T14-32 --problem-class mode_prefix_mismatch --reason "Folder renamed by hand; approved by PI."',
  run(args, io) {
    const operator = stringOption(args, "operator");
    const expires = stringOption(args, "expires-at");
    const request = {
      problem_class: requiredOption(args, "problem-class"),
      reason: requiredOption(args, "reason"),
      ...(operator === undefined ? {} : { operator }),
      ...(expires === undefined ? {} : { expires_at: expires }),
    };
    return runOverrideWrite(args, io, "override recorded", (writer, path) => writer.addOverride(path, request));
  },
};

/** The command, for the table in `../commands.ts`. */
export const command = overrideAddCommand;
