/**
 * What `override-add` and `override-revoke` share: the run folder's
 * `creation.json`, the write, its output, and the exit code of a refusal.
 *
 * @module
 */
import { ExlabCacheError, OverrideNotRevocableError } from "../errors.js";
import { REPORT_VERSION } from "../report.js";
import { CreationCacheWriter } from "../cache/creation.js";
import { switchOn, type ParsedArgs } from "./command.js";
import { EXIT_OK, EXIT_PROBLEMS, printError } from "./errors.js";
import { printJson, styleFor, type CliIo } from "./io.js";
import { printRecord } from "./record.js";
import { shownPath } from "./_text.js";
import { runCreationFile } from "./_creation.js";

/** Codes that, with the file's own path, say the record on disk is what is wrong. */
const RECORD_CODES: ReadonlySet<string> = new Set(["validation_failed", "schema_major_mismatch", "malformed_file"]);

/**
 * A refusal that is a problem of the record rather than of the request: no
 * entry can be revoked as asked, or the file breaks its schema. (A bad
 * request, `validation_failed` without the file's path, is not.)
 */
function recordProblem(err: unknown, path: string): err is ExlabCacheError {
  if (err instanceof OverrideNotRevocableError) return true;
  return err instanceof ExlabCacheError && err.path === path && RECORD_CODES.has(err.code);
}

/**
 * Run `write` on the `creation.json` of the run folder named by the first
 * positional, then print the entry appended (`--json`: `{version, path,
 * entry}`; else `done`, the path and the entry). A problem of the record is
 * printed and gives exit 1, as `show` does for a file that breaks its
 * schema; anything else stops the command (exit 2).
 *
 * @example
 * ```ts
 * return runOverrideWrite(args, io, "override revoked", (w, path) => w.revokeOverride(path, request));
 * ```
 */
export async function runOverrideWrite(args: ParsedArgs, io: CliIo, done: string, write: (writer: CreationCacheWriter, path: string) => Promise<object>): Promise<number> {
  const path = await runCreationFile(args.positionals[0] ?? "");
  const json = switchOn(args, "json");
  let entry: object;
  try {
    entry = await write(new CreationCacheWriter(), path);
  } catch (err) {
    if (!recordProblem(err, path)) throw err;
    printError(io, err, json);
    return EXIT_PROBLEMS;
  }
  if (json) {
    printJson(io, { version: REPORT_VERSION, path, entry });
  } else {
    io.stdout.write(`${styleFor(io, "stdout").green(done)}  ${shownPath(path)}\n`);
    await printRecord(io, entry);
  }
  return EXIT_OK;
}
