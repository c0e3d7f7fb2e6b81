/**
 * `exlab-cache override-revoke`: revoke a validation override of a run
 * folder with a tombstone, refusing an unknown or already revoked id.
 *
 * @module
 */
import { REPORT_VERSION } from "../../report.js";
import { CreationCacheWriter } from "../../cache/creation.js";
import { requiredOption, stringOption, switchOn, type Command } from "../command.js";
import { EXIT_OK } from "../errors.js";
import { printJson, styleFor } from "../io.js";
import { printRecord } from "../record.js";
import { shownPath } from "../_text.js";
import { runCreationFile } from "../_creation.js";

/** The `override-revoke` command. */
export const overrideRevokeCommand: Command = {
  name: "override-revoke",
  positionals: ["<run_folder>"],
  options: [
    { name: "id", type: "string", value: "<id>", help: "The override entry's id (see `exlab-cache overrides`)", required: true },
    { name: "reason", type: "string", value: "<text>", help: "Why, 10-500 characters", required: true },
    { name: "operator", type: "string", value: "<name>", help: "Who (default: empty)" },
  ],
  description: [
    "Appends a tombstone (revokes <id>, revoked true) to <run_folder>/.exlab-wizard/creation.json",
    "under its lock. An id no entry has, one already revoked, or a tombstone's own id is refused",
    "with override_not_revocable, and the file is left as it was.",
  ].join("\n"),
  example: 'override-revoke /data/lab/CONFOCAL_01/PROJ-0042/Runs/Run_2026-04-17T14-32 --id 0b5e3c1a-2f4d-4c8e-9a7b-6d5e4f3a2b1c --reason "Folder fixed; no longer needed."',
  async run(args, io) {
    const path = await runCreationFile(args.positionals[0] ?? "");
    const operator = stringOption(args, "operator");
    const entry = await new CreationCacheWriter().revokeOverride(path, {
      id: requiredOption(args, "id"),
      reason: requiredOption(args, "reason"),
      ...(operator === undefined ? {} : { operator }),
    });
    if (switchOn(args, "json")) {
      printJson(io, { version: REPORT_VERSION, path, entry });
    } else {
      io.stdout.write(`${styleFor(io, "stdout").green("override revoked")}  ${shownPath(path)}\n`);
      await printRecord(io, entry);
    }
    return EXIT_OK;
  },
};

/** The command, for the table in `../commands.ts`. */
export const command = overrideRevokeCommand;
