/**
 * `exlab-cache timeline <run folder>`: everything that happened to one run,
 * oldest first, from every record that mentions it.
 *
 * @module
 */
import { runTimeline, type RunTimeline } from "../../tree/timeline.js";
import { stringOption, switchOn, type Command } from "../command.js";
import { EXIT_OK, EXIT_PROBLEMS, fromOsError } from "../errors.js";
import { printJson, styleFor, type CliIo } from "../io.js";
import { columnsFor, escapeText, shownPath } from "../_text.js";

async function printTimeline(io: CliIo, t: RunTimeline): Promise<void> {
  const cols = await columnsFor(t.events.map((e) => escapeText(e.at)));
  const s = styleFor(io, "stdout");
  io.stdout.write(`${s.bold(shownPath(t.run))}\n`);
  const c = t.creation;
  const head = [
    c === null ? "creation.json: not read" : `created ${escapeText(c.created_at)} by ${escapeText(c.created_by)}, sync_status ${escapeText(c.sync_status)}`,
    ...(t.ingest_state === null ? [] : [`ingest state ${escapeText(t.ingest_state)}`]),
  ];
  io.stdout.write(`  ${head.join("; ")}\n`);
  const atWidth = Math.max(20, ...t.events.map((e) => cols.width(escapeText(e.at))));
  const kindWidth = Math.max(0, ...t.events.map((e) => e.kind.length));
  for (const e of t.events) {
    const at = cols.pad(escapeText(e.at === "" ? "(no time)" : e.at), atWidth);
    io.stdout.write(`  ${at}  ${s.dim(e.kind.padEnd(kindWidth))}  ${escapeText(e.summary)}\n`);
  }
  if (t.events.length === 0) io.stdout.write("  (no events)\n");
  for (const src of t.sources) {
    if (src.status === "ok") continue;
    const why = src.status === "unreadable" ? `: ${escapeText(src.message ?? "")} [${escapeText(src.code ?? "")}]` : "";
    io.stdout.write(`  ${src.status === "missing" ? s.dim("missing") : s.red("unreadable")} ${escapeText(src.name)} ${shownPath(src.path)}${why}\n`);
  }
}

/** The `timeline` command. */
export const timelineCommand: Command = {
  name: "timeline",
  positionals: ["<run folder>"],
  options: [{ name: "staging", type: "string", value: "<dir>", help: "The orchestrator's staging root, where the run's ingest.json is" }],
  description: [
    "Reads everything that mentions one run and prints it oldest first: its creation.json",
    "(created, by whom, its sync_status, every override and tombstone), the marker of its",
    "Runs/ or TestRuns/ subtree, its ingest.json history (from the run folder when it is a",
    "staged run, else from --staging), and the lines of the equipment's wizard.*.log files",
    "tagged with the run. A record that is missing is named; one that cannot be read is",
    "named with its error code (exit 1). --json prints {version, run, creation, sources, events}.",
  ].join("\n"),
  example: 'timeline "/data/lab/CONFOCAL_01/Cortex Q3 Pilot/Runs/Run_2026-04-17T14-32" --staging /srv/staging',
  async run(args, io) {
    const folder = args.positionals[0] ?? "";
    let t: RunTimeline;
    try {
      t = await runTimeline(folder, { staging: stringOption(args, "staging") });
    } catch (err) {
      throw fromOsError(err, folder);
    }
    if (switchOn(args, "json")) printJson(io, t);
    else await printTimeline(io, t);
    return t.sources.some((src) => src.status === "unreadable") ? EXIT_PROBLEMS : EXIT_OK;
  },
};

/** The command, for the table in `../commands.ts`. */
export const command = timelineCommand;
