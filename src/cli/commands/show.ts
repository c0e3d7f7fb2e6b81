/**
 * `exlab-cache show`: decode and validate one cache file and print it.
 *
 * @module
 */
import { basename } from "node:path";
import { ExlabCacheError } from "../../errors.js";
import { readCacheFile } from "../../fs/read.js";
import { parseRecord } from "../../schema/record.js";
import { RECORD_KINDS, recordKindOfFile } from "../../schema/registry.js";
import { decodeJsonObject } from "../../schema/_decode.js";
import { CREATION, parseCreation } from "../../schema/kinds/creation.js";
import { REPORT_VERSION } from "../../report.js";
import { switchOn, type Command } from "../command.js";
import { EXIT_OK, EXIT_PROBLEMS, UsageError, fromOsError, printError } from "../errors.js";
import { printJson, styleFor } from "../io.js";
import { printRecord } from "../record.js";
import { flattenForPeople } from "../_creation.js";
import { escapeText, shownPath } from "../_text.js";

const FILE_NAMES = RECORD_KINDS.map((d) => d.file);
/** "a, b or c" */
const NAMED = `${FILE_NAMES.slice(0, -1).join(", ")} or ${FILE_NAMES.at(-1) ?? ""}`;

/** The `show` command. */
export const command: Command = {
  name: "show",
  positionals: ["<file>"],
  options: [],
  description: [
    `Reads one ${NAMED} (the kind is chosen by the file`,
    "name), checks it against its schema and the schema-major policy, and prints its fields.",
    "Nested blocks (creation.json) are shown as dotted paths (`lims_project.uid`). Fields added",
    "by a newer minor version are listed too. A file of another schema major or one that breaks",
    "its schema is reported with its error code and field (exit 1).",
  ].join("\n"),
  example: "show /data/lab/CONFOCAL_01/.exlab-wizard/equipment.json",
  async run(args, io) {
    const json = switchOn(args, "json");
    const file = args.positionals[0] ?? "";
    // A file the writer kept aside (`equipment.json.corrupt-<time>`) is read as its kind.
    const kind = recordKindOfFile(basename(file).replace(/\.corrupt-[^/\\]*$/, ""));
    if (kind === undefined) {
      throw new UsageError(`Expected a file named ${NAMED} (or one kept aside as <name>.corrupt-<time>), got \`${escapeText(basename(file))}\``, "show");
    }
    let bytes: Buffer;
    try {
      bytes = await readCacheFile(file);
    } catch (err) {
      throw fromOsError(err, file);
    }
    let record: object;
    try {
      // creation.json: entries without an id are shown with the id an update would give them.
      record = kind === CREATION ? parseCreation(bytes, file) : parseRecord(kind, bytes, file);
    } catch (err) {
      if (!(err instanceof ExlabCacheError)) throw err;
      printError(io, err, json);
      return EXIT_PROBLEMS;
    }
    // Fields a newer minor wrote: valid, kept by writers, shown apart.
    const extra = Object.fromEntries(Object.entries(decodeJsonObject(bytes, file)).filter(([k]) => !Object.hasOwn(record, k)));
    if (json) {
      printJson(io, { version: REPORT_VERSION, path: file, kind: basename(file, ".json"), record, other_fields: extra });
    } else {
      io.stdout.write(`${styleFor(io, "stdout").bold(shownPath(file))}\n`);
      // Nested values (an ingest history, README field layers, creation blocks) one leaf per line.
      await printRecord(io, flattenForPeople(record));
      if (Object.keys(extra).length > 0) {
        io.stdout.write("  other fields (from a newer minor version):\n");
        await printRecord(io, extra);
      }
    }
    return EXIT_OK;
  },
};
