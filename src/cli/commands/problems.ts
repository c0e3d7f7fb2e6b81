/**
 * `exlab-cache problems`: the application's Problems audit over the lab a
 * `config.yaml` describes, grouped by run, or its REST shape with --json.
 *
 * @module
 */
import { auditTree, type AuditScope } from "../../tree/audit.js";
import { APP_RULES, OWN_RULES, type SourcedFinding } from "../../tree/finding.js";
import { requiredOption, stringOption, switchOn, type Command } from "../command.js";
import { EXIT_OK, EXIT_PROBLEMS, StoppedError, UsageError } from "../errors.js";
import { count, printJson, styleFor, type CliIo } from "../io.js";
import { escapeText } from "../_text.js";

const RULES: readonly string[] = [...APP_RULES, ...OWN_RULES];
/** The version of the --json document's shape. */
const JSON_VERSION = 1;
const PROGRESS_DELAY_MS = 300;

function scopeOf(equipment: string | undefined, project: string | undefined): AuditScope {
  if (project !== undefined && equipment === undefined) throw new UsageError("Expected --equipment <id> with --project <name>", "problems");
  if (equipment === undefined) return { kind: "all" };
  return project === undefined ? { kind: "equipment", equipment } : { kind: "project", equipment, project };
}

/** A progress line on a terminal: projects entered out of the total, redrawn at most ten times a second. */
function progress(io: CliIo): { update: (p: { projects: number; projectsTotal: number; folders: number; files: number }) => void; done: () => void } {
  const now = io.now ?? (() => performance.now());
  const start = now();
  let last: number | undefined;
  if (!io.isTTY.stderr) return { update: () => undefined, done: () => undefined };
  return {
    update(p) {
      const t = now();
      if (t - start < PROGRESS_DELAY_MS || (last !== undefined && t - last < 100)) return;
      last = t;
      io.stderr.write(`\r\x1b[Kauditing: ${p.projects}/${p.projectsTotal} projects, ${p.folders} folders, ${p.files} files`);
    },
    done() {
      if (last !== undefined) io.stderr.write("\r\x1b[K");
    },
  };
}

function printGrouped(io: CliIo, findings: readonly SourcedFinding[]): void {
  const s = styleFor(io, "stdout");
  const groups = new Map<string, SourcedFinding[]>();
  for (const f of findings) {
    const g = groups.get(f.finding.run_path);
    if (g === undefined) groups.set(f.finding.run_path, [f]);
    else g.push(f);
  }
  for (const [runPath, group] of [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    io.stdout.write(`${s.bold(escapeText(runPath))}\n`);
    for (const { finding: f } of group) {
      const tier = f.tier === "hard" ? s.red("hard") : s.yellow("soft");
      const flags = [f.override_active ? "overridden" : "", f.synced_under_prior_policy ? "synced before" : ""].filter((x) => x !== "").join(", ");
      const rel = f.offending_path.startsWith(`${runPath}/`) ? f.offending_path.slice(runPath.length + 1) : f.offending_path === runPath ? "." : f.offending_path;
      io.stdout.write(`  ${tier} ${f.rule}: ${escapeText(rel)}: ${escapeText(f.rule_detail)}${flags === "" ? "" : ` ${s.dim(`[${flags}]`)}`}\n`);
    }
  }
}

/** The `problems` command. */
export const problemsCommand: Command = {
  name: "problems",
  positionals: [],
  options: [
    { name: "config", type: "string", value: "<file>", help: "The application's config.yaml (lab root, equipment, staging, validator)", required: true },
    { name: "equipment", type: "string", value: "<id>", help: "Audit only this configured equipment" },
    { name: "project", type: "string", value: "<name>", help: "Audit only this project (with --equipment)" },
    { name: "tier", type: "string", value: "<hard|soft>", help: "Show only findings of this tier" },
    { name: "rule", type: "string", value: "<rule>", help: "Show only findings of this rule" },
    { name: "app-compatible", type: "boolean", help: "Walk the staging root and build run paths as the application does" },
  ],
  description: [
    "Walks <paths.local_root>/<id> for every configured equipment (and the staging root) and",
    "applies the application's rules: placeholder tokens and Jinja markers in names and text,",
    "illegal characters, reserved names, run-kind mismatches (hard); orphans, unsafe project",
    "names, missing README fields (soft). Findings are grouped by run; with --json they are the",
    'application\'s REST shape {"version", "findings", "audit_at"} plus "sources". Records the',
    "application cannot read, folders that cannot be listed and the depth bound are findings too",
    "(unreadable_record, unlisted_folder, depth_limit). Exit 1 when a shown hard finding has no",
    "active override. See docs/problems.md.",
  ].join("\n"),
  example: "problems --config /etc/exlab-wizard/config.yaml --equipment CONFOCAL_01 --tier hard",
  async run(args, io) {
    const tier = stringOption(args, "tier");
    if (tier !== undefined && tier !== "hard" && tier !== "soft") throw new UsageError(`Expected --tier to be hard or soft, got \`${escapeText(tier)}\``, "problems");
    const rule = stringOption(args, "rule");
    if (rule !== undefined && !RULES.includes(rule)) throw new UsageError(`Expected --rule to be one of ${RULES.join(", ")}, got \`${escapeText(rule)}\``, "problems");
    const scope = scopeOf(stringOption(args, "equipment"), stringOption(args, "project"));
    const line = progress(io);
    const stop = new AbortController();
    const unhook = io.onStop?.((signal) => stop.abort(new StoppedError(signal)));
    let result;
    try {
      result = await auditTree({ config: requiredOption(args, "config"), scope, appCompatible: switchOn(args, "app-compatible"), signal: stop.signal, onProgress: line.update });
    } finally {
      line.done();
      unhook?.();
    }
    const shown = result.findings.filter((f) => (tier === undefined || f.finding.tier === tier) && (rule === undefined || f.finding.rule === rule));
    if (switchOn(args, "json")) {
      printJson(io, { version: JSON_VERSION, findings: shown.map((f) => f.finding), audit_at: result.auditAt, sources: shown.map((f) => f.sources) });
    } else {
      printGrouped(io, shown);
      const hard = shown.filter((f) => f.finding.tier === "hard").length;
      const s = styleFor(io, "stdout");
      const what = `${count(result.counts.folders, "folder")}, ${count(result.counts.files, "file")} in ${count(result.counts.roots, "root")}`;
      io.stdout.write(shown.length === 0 ? `${s.green("ok")}: ${what}, no findings\n` : `${count(shown.length, "finding")} (${hard} hard) in ${what}\n`);
    }
    return shown.some((f) => f.finding.tier === "hard" && !f.finding.override_active) ? EXIT_PROBLEMS : EXIT_OK;
  },
};

/** The command, for the table in `../commands.ts`. */
export const command = problemsCommand;
