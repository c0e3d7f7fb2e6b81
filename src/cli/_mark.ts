/**
 * What `mark-test-runs` and `mark-runs` share: write a project's run marker
 * once, or show the one already there.
 */
import { stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { recordPath } from "../cache/paths.js";
import { EquipmentCacheWriter } from "../cache/writer.js";
import { ExlabCacheError, ValidationError } from "../errors.js";
import { MARKERS, type MarkerInput, type MarkerJson, type RunKind } from "../schema/marker.js";
import { REPORT_VERSION } from "../report.js";
import { requiredOption, switchOn, type Command } from "./command.js";
import { EXIT_OK, EXIT_PROBLEMS, InputError, UsageError, fromOsError, printError } from "./errors.js";
import { printJson, styleFor } from "./io.js";
import { printRecord } from "./record.js";
import { warningSink } from "./warnings.js";
import { shownPath } from "./_text.js";

// Followed through symbolic links: a lab root is often a link to a mount.
async function requireDir(path: string, what: string): Promise<void> {
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch (err) {
    const e = fromOsError(err, path);
    if (e instanceof InputError && e.code === "not_found") throw new InputError("not_found", path, `${what} does not exist`, { cause: err, osCode: "ENOENT" });
    throw e;
  }
  if (!isDir) throw new InputError("not_a_directory", path, `${what} is not a directory`);
}

/** What differs between the two commands besides the marker's descriptor. */
const COMMANDS: Readonly<
  Record<
    RunKind,
    {
      readonly name: string;
      readonly subtree: string;
      readonly write: (w: EquipmentCacheWriter, path: string, payload: MarkerInput) => Promise<boolean>;
      readonly read: (w: EquipmentCacheWriter, path: string) => Promise<MarkerJson>;
    }
  >
> = {
  test: { name: "mark-test-runs", subtree: "test-only", write: (w, p, x) => w.writeTestRunsMarker(p, x), read: (w, p) => w.readTestRunsMarker(p) },
  experimental: { name: "mark-runs", subtree: "experimental-only", write: (w, p, x) => w.writeRunsMarker(p, x), read: (w, p) => w.readRunsMarker(p) },
};

/**
 * The command that writes the marker of `kind`.
 *
 * @example
 * ```ts
 * const markTestRunsCommand = markCommand("test");
 * ```
 */
export function markCommand(kind: RunKind): Command {
  const d = MARKERS[kind];
  const { name, subtree } = COMMANDS[kind];
  const { file, place: { folder } } = d;
  return {
    name,
    positionals: [],
    options: [
      { name: "root", type: "string", value: "<local_root>", help: "The tree's root folder (must exist)", required: true },
      { name: "equipment", type: "string", value: "<ID>", help: "Equipment id; its folder must exist under the root", required: true },
      { name: "project", type: "string", value: "<name>", help: "Project folder name (created when missing)", required: true },
    ],
    description: [
      `Writes <local_root>/<ID>/<project>/${folder}/.exlab-wizard/${file}, marking the`,
      `project's ${folder}/ subtree as ${subtree}. The marker is written once: when it`,
      "exists already nothing changes and the existing marker is shown. The equipment folder",
      "must exist (run `exlab-cache sync` first), so a mistyped id does not start a new tree.",
    ].join("\n"),
    example: `${name} --root /data/lab --equipment CONFOCAL_01 --project PROJ-0042`,
    async run(args, io) {
      const json = switchOn(args, "json");
      const rootArg = requiredOption(args, "root");
      const equipment = requiredOption(args, "equipment");
      const project = requiredOption(args, "project");
      let path: string;
      // Every path printed is absolute, errors included: the checks run on
      // the resolved root (after validation, so an empty --root is refused
      // rather than taken as the working folder).
      let root: string;
      try {
        recordPath(d, rootArg, equipment, project);
        root = resolve(rootArg);
        path = recordPath(d, root, equipment, project);
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        const flags: Record<string, string> = { localRoot: "--root", equipmentId: "--equipment", project: "--project" };
        const message = err.issues.map((i) => i.message.replace(`\`${i.path}\``, `\`${flags[i.path] ?? i.path}\``)).join("; ");
        throw new UsageError(message, name);
      }
      await requireDir(root, "the root folder");
      await requireDir(join(root, equipment), `equipment folder \`${equipment}\``);
      const warnings = warningSink(io, json);
      const writer = new EquipmentCacheWriter({ onWarning: warnings.add });
      const payload = { project, equipment };
      const created = await COMMANDS[kind].write(writer, path, payload);
      let marker: MarkerJson | undefined;
      let problem: ExlabCacheError | undefined;
      try {
        marker = await COMMANDS[kind].read(writer, path);
      } catch (err) {
        const e = fromOsError(err, path);
        if (!(e instanceof ExlabCacheError)) throw err;
        problem = e;
      }
      const status = created ? "created" : "already_present";
      if (json) {
        printJson(io, { version: REPORT_VERSION, path, status, marker: marker ?? null, error: problem?.toEnvelope().error ?? null, warnings: warnings.list });
      } else {
        const s = styleFor(io, "stdout");
        io.stdout.write(`${created ? s.green("created") : s.dim("already present")}  ${shownPath(path)}\n`);
        if (marker !== undefined) await printRecord(io, marker);
        if (problem !== undefined) printError(io, problem, false);
      }
      return problem === undefined ? EXIT_OK : EXIT_PROBLEMS;
    },
  };
}
