/** The bench's command-line arguments. */
import { parseArgs } from "node:util";
import { SCENARIOS, findScenario, type Scenario } from "./scenarios/index.js";

/** The usage text. */
export const USAGE = `Usage: npm run bench -- [options]

  --scenario <name>  run only this scenario (repeatable, or a comma-separated list of ids);
                     a name is an id or a title: ${SCENARIOS.map((s) => s.id).join(", ")}
  --scale <x>        multiply every operation count by x (default 1; 0.01 for a quick look)
  --out <dir>        where the JSON file goes (default bench/results)
  --dir <dir>        parent of the scratch directory, on the disk to measure (default the OS temp dir)
  --python <path>    Python 3 for the Python contenders (default /usr/bin/python3)
  --filelock <dir>   directory holding the filelock package they import
                     (default ../shared/peers/filelock-3.29.0 beside the package)
  --list             list the scenarios and exit
  --help             this text`;

/** A mistake in the arguments: shown with the usage text, never with a stack. */
export class UsageError extends Error {}

/**
 * Parse `argv` (without node and the script).
 *
 * @throws {@link UsageError} for an unknown option or scenario, or a bad scale.
 */
export function parseBenchArgs(argv: string[]) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        scenario: { type: "string", multiple: true },
        scale: { type: "string" },
        out: { type: "string" },
        dir: { type: "string" },
        python: { type: "string" },
        filelock: { type: "string" },
        list: { type: "boolean" },
        help: { type: "boolean" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const scenarios: Scenario[] = [];
  // A title may hold commas ("equipment rewrite, 1 writer"): split a value
  // into a list only when it is not a name as a whole.
  const names = (values.scenario ?? []).flatMap((v) => (findScenario(v) === undefined ? v.split(",") : [v]));
  for (const name of names) {
    if (name.trim() === "") continue;
    const found = findScenario(name);
    if (found === undefined) throw new UsageError(`Unknown scenario \`${name}\`; expected one of ${SCENARIOS.map((s) => `\`${s.id}\``).join(", ")}`);
    if (!scenarios.includes(found)) scenarios.push(found);
  }
  const scale = values.scale === undefined ? 1 : Number(values.scale);
  if (!(scale > 0) || !Number.isFinite(scale)) throw new UsageError(`Expected \`--scale\` to be a number > 0, got \`${String(values.scale)}\``);
  return { ...values, scenarios, scale };
}
