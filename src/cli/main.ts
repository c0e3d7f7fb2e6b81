/**
 * The `exlab-cache` command line: finds the command, parses its arguments,
 * runs it and turns whatever it throws into one line and an exit code. Every
 * contact with the outside world goes through the {@link CliIo} handed in,
 * so the tool runs the same in-process as from the binary.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import { checkCommand } from "./check.js";
import { EXIT_CODES_HELP, commandHelp, parseCommandArgs, type Command } from "./command.js";
import { EXIT_FATAL, EXIT_OK, UsageError, printError, reportFatal } from "./errors.js";
import type { CliIo } from "./io.js";
import { escapeText } from "./_text.js";
import { logCommand } from "./log.js";
import { lsCommand } from "./ls.js";
import { markRunsCommand } from "./mark-runs.js";
import { markTestRunsCommand } from "./mark-test-runs.js";
import { runsCommand } from "./runs.js";
import { showCommand } from "./show.js";
import { syncCommand } from "./sync.js";
import { timelineCommand } from "./timeline.js";

export type { CliIo, Writer } from "./io.js";
export { EXIT_FATAL, EXIT_OK, EXIT_PROBLEMS } from "./errors.js";

/** Every command, in the order the help lists them. */
export const COMMANDS: readonly Command[] = [syncCommand, markTestRunsCommand, markRunsCommand, showCommand, lsCommand, checkCommand, runsCommand, logCommand, timelineCommand];

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  const list = COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`).join("\n");
  return [
    "Usage: exlab-cache <command> [options]",
    "",
    "Read, write and check ExLab Wizard's equipment-level cache files (equipment.json,",
    "test_runs.json, runs.json) in an equipment-first lab tree.",
    "",
    "Commands:",
    list,
    "",
    "Options:",
    "  -h, --help     Show help (after a command, or as `help <command>`: that command's help)",
    "  -v, --version  Show the version",
    "",
    "Example:",
    "  exlab-cache sync --config /etc/exlab-wizard/config.yaml && exlab-cache check /data/lab",
    "",
    "Every command takes --json for one JSON document on stdout.",
    EXIT_CODES_HELP,
    "",
  ].join("\n");
}

async function version(): Promise<string> {
  const pkg: unknown = JSON.parse(await readFile(new URL("../../package.json", import.meta.url), "utf8"));
  const v = typeof pkg === "object" && pkg !== null && "version" in pkg ? pkg.version : undefined;
  return typeof v === "string" ? v : "unknown";
}

/**
 * Run the tool with `argv` (the arguments after the program name).
 *
 * @returns the exit code: 0 ok, 1 problems found, 2 usage or fatal error.
 *   Never rejects: every error is reported through `io`.
 * @example
 * ```ts
 * const code = await main(["ls", "/data/lab"], {
 *   stdout: process.stdout, stderr: process.stderr, env: process.env,
 *   isTTY: { stdout: false, stderr: false },
 * });
 * ```
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  // Known before parsing, so that even a usage error comes out as JSON.
  const json = argv.includes("--json");
  try {
    const [first, ...rest] = argv;
    if (first === undefined) {
      // Nothing asked for: the help goes where errors go, and it is a usage error.
      io.stderr.write(mainHelp());
      return EXIT_FATAL;
    }
    if (first === "help" && rest.length > 0) {
      const topic = COMMANDS.find((c) => c.name === rest[0]);
      if (topic === undefined || rest.length > 1) {
        const known = COMMANDS.map((c) => c.name).join(", ");
        throw new UsageError(`Expected \`help <command>\` with one of ${known}, got \`${escapeText(rest.join(" "))}\``);
      }
      io.stdout.write(commandHelp(topic));
      return EXIT_OK;
    }
    if (first === "--help" || first === "-h" || first === "help") {
      io.stdout.write(mainHelp());
      return EXIT_OK;
    }
    if (first === "--version" || first === "-v") {
      io.stdout.write(`${await version()}\n`);
      return EXIT_OK;
    }
    const cmd = COMMANDS.find((c) => c.name === first);
    if (cmd === undefined) {
      const known = COMMANDS.map((c) => c.name).join(", ");
      throw new UsageError(`Unknown command \`${escapeText(first)}\` (commands: ${known})`);
    }
    const args = parseCommandArgs(cmd, rest);
    if (args === "help") {
      io.stdout.write(commandHelp(cmd));
      return EXIT_OK;
    }
    return await cmd.run(args, io);
  } catch (err) {
    if (err instanceof UsageError) {
      printError(io, err, json);
      return EXIT_FATAL;
    }
    return reportFatal(io, err, json);
  }
}
