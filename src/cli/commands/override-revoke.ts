/**
 * `exlab-cache override-revoke`: revoke a validation override of a run
 * folder with a tombstone, refusing an unknown or already revoked id.
 *
 * @module
 */
import { requiredOption, stringOption, type Command } from "../command.js";
import { runOverrideWrite } from "../_override-write.js";

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
    "with override_not_revocable (exit 1, as is a creation.json that breaks its schema), and the",
    "file is left as it was.",
  ].join("\n"),
  example: 'override-revoke /data/lab/CONFOCAL_01/PROJ-0042/Runs/Run_2026-04-17T14-32 --id 0b5e3c1a-2f4d-4c8e-9a7b-6d5e4f3a2b1c --reason "Folder fixed; no longer needed."',
  run(args, io) {
    const operator = stringOption(args, "operator");
    const request = { id: requiredOption(args, "id"), reason: requiredOption(args, "reason"), ...(operator === undefined ? {} : { operator }) };
    return runOverrideWrite(args, io, "override revoked", (writer, path) => writer.revokeOverride(path, request));
  },
};

/** The command, for the table in `../commands.ts`. */
export const command = overrideRevokeCommand;
