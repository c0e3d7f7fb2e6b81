/**
 * How a command is described once — its options, its help text, its
 * example — and how its argv is parsed with Node's `util.parseArgs`, so
 * every command validates and documents itself the same way.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { UsageError } from "./errors.js";
import { escapeText } from "./_escape.js";
import { suggest } from "./_suggest.js";
import type { CliIo } from "./io.js";

/** One option of a command. */
export interface OptionSpec {
  /** Long name without dashes: `config`. */
  name: string;
  /** `string` takes a value; `boolean` is a switch. */
  type: "string" | "boolean";
  /** Placeholder shown in help for a value: `<file>`. */
  value?: string;
  /** One line for the help text. */
  help: string;
  /** A missing required option is a usage error. */
  required?: boolean;
}

/** The parsed command line of one command. */
export interface ParsedArgs {
  /** Option values by long name; switches are `true` or absent. */
  values: Readonly<Record<string, string | boolean | undefined>>;
  /** Positional arguments, in order. */
  positionals: readonly string[];
}

/** A command of the tool. */
export interface Command {
  /** As typed: `sync`, `mark-test-runs`...; the same as its line in the table (commands.ts). */
  name: string;
  /** Positional arguments, as shown in the usage line: `<local_root>`. */
  positionals: readonly string[];
  /** Options besides `--json` and `--help`, which every command has. */
  options: readonly OptionSpec[];
  /** A few sentences on what the command does. */
  description: string;
  /** One example command line, without the leading `exlab-cache`. */
  example: string;
  /** Run with parsed arguments; resolves to the exit code. */
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}

/** What every command's help ends with. */
export const EXIT_CODES_HELP = "Exit codes: 0 ok, 1 problems found, 2 usage or fatal error, 129 stopped by SIGHUP, 130 by SIGINT, 143 by SIGTERM, 149 by SIGBREAK (Windows).";

const COMMON: readonly OptionSpec[] = [
  { name: "json", type: "boolean", help: "Print one JSON document on stdout (errors as the error envelope)" },
  { name: "help", type: "boolean", help: "Show this help" },
];

function flag(o: OptionSpec): string {
  const short = o.name === "help" ? "-h, " : "    ";
  return `${short}--${o.name}${o.type === "string" ? ` ${o.value ?? "<value>"}` : ""}`;
}

/**
 * The full help text of `cmd`: usage, description, options, example and the
 * exit codes.
 *
 * @example
 * ```ts
 * io.stdout.write(commandHelp(syncCommand));
 * ```
 */
export function commandHelp(cmd: Command): string {
  const usage = [
    `exlab-cache ${cmd.name}`,
    ...cmd.positionals,
    ...cmd.options.map((o) => {
      const f = `--${o.name}${o.type === "string" ? ` ${o.value ?? "<value>"}` : ""}`;
      return o.required === true ? f : `[${f}]`;
    }),
    "[--json]",
  ].join(" ");
  const all = [...cmd.options, ...COMMON];
  const width = Math.max(...all.map((o) => flag(o).length)) + 2;
  const options = all.map((o) => `  ${flag(o).padEnd(width)}${o.help}`).join("\n");
  return `Usage: ${usage}\n\n${cmd.description}\n\nOptions:\n${options}\n\nExample:\n  exlab-cache ${cmd.example}\n\n${EXIT_CODES_HELP}\n`;
}

/**
 * Parse `argv` (the arguments after the command name) for `cmd`.
 *
 * @returns the parsed arguments, or `"help"` when `--help`/`-h` is present.
 * @throws {@link UsageError} for an unknown option, a missing value, a
 *   missing required option or a wrong number of positionals.
 * @example
 * ```ts
 * const args = parseCommandArgs(syncCommand, ["--config", "config.yaml"]);
 * ```
 */
export function parseCommandArgs(cmd: Command, argv: readonly string[]): ParsedArgs | "help" {
  const config: Record<string, { type: "string" | "boolean"; short?: string }> = {};
  for (const o of [...cmd.options, ...COMMON]) config[o.name] = o.name === "help" ? { type: "boolean", short: "h" } : { type: o.type };
  refuseUnknownOptions(cmd, argv);
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: config, allowPositionals: true, strict: true });
  } catch (err) {
    // parseArgs' own messages name the option; keep them, without Node's advice on "--".
    const message = err instanceof Error ? err.message.replace(/\. To specify a positional argument.*$/s, "") : String(err);
    throw new UsageError(message, cmd.name);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values["help"] === true) return "help";
  for (const o of cmd.options) {
    if (o.required === true && values[o.name] === undefined) throw new UsageError(`Missing --${o.name} ${o.value ?? "<value>"}`, cmd.name);
    const v = values[o.name];
    if (typeof v === "string" && v.length === 0) throw new UsageError(`Expected --${o.name} to be non-empty`, cmd.name);
  }
  const want = cmd.positionals.length;
  if (parsed.positionals.length !== want) {
    const what = want === 0 ? "no arguments" : `${want} argument${want === 1 ? "" : "s"} (${cmd.positionals.join(" ")})`;
    throw new UsageError(`Expected ${what}, got ${parsed.positionals.length}`, cmd.name);
  }
  return { values, positionals: parsed.positionals };
}

/** An unknown `--option` is named with the nearest known one, when one is near. */
function refuseUnknownOptions(cmd: Command, argv: readonly string[]): void {
  const known = [...cmd.options, ...COMMON].map((o) => o.name);
  for (const arg of argv) {
    if (arg === "--") return;
    if (!arg.startsWith("--")) continue;
    const name = arg.slice(2).split("=")[0] ?? "";
    if (known.includes(name)) continue;
    const near = suggest(name, known);
    const hint = near === undefined ? "" : `; did you mean \`--${near}\`?`;
    throw new UsageError(`Unknown option \`--${escapeText(name)}\`${hint}`, cmd.name);
  }
}

/**
 * A string option's value, or undefined when absent.
 *
 * @example
 * ```ts
 * const root = stringOption(args, "root"); // "./lab" or undefined
 * ```
 */
export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name];
  return typeof v === "string" ? v : undefined;
}

/**
 * A required string option (presence is checked by {@link parseCommandArgs}).
 *
 * @throws {@link UsageError} when it is absent after all.
 * @example
 * ```ts
 * const config = requiredOption(args, "config");
 * ```
 */
export function requiredOption(args: ParsedArgs, name: string): string {
  const v = args.values[name];
  if (typeof v !== "string") throw new UsageError(`Missing --${name}`);
  return v;
}

/**
 * Whether a switch is on.
 *
 * @example
 * ```ts
 * if (switchOn(args, "json")) printJson(io, result);
 * ```
 */
export function switchOn(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}
