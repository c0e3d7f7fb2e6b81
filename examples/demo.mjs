// The whole cycle in one go, on ./lab: sync the bundled config.yaml, mark a
// test-run folder, record a test run the way the application does (its
// creation.json, a validation override, a line in the activity log), then
// look at the tree: list, check, the runs and their sync status, the
// pre-sync gate of the run and its timeline. Run it twice: the second time
// everything is found in place and nothing is recorded again.
import { spawnSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import process from "node:process";
import { URL, fileURLToPath } from "node:url";
import { AlreadyExistsError, CreationCacheWriter, appendLogLine, logFilePath, runCreationPath } from "../dist/index.js";

const bin = fileURLToPath(new URL("../dist/cli/bin.js", import.meta.url));
const config = fileURLToPath(new URL("./config.yaml", import.meta.url));
const lab = resolve("./lab");
const runName = "TestRun_2026-04-17T14-32";
const run = join(lab, "CONFOCAL_01", "PROJ-0042", "TestRuns", runName);

function cli(...args) {
  const shown = args.map((a) => (a === config ? "examples/config.yaml" : a.startsWith(`${lab}/`) ? `./lab/${a.slice(lab.length + 1)}` : a)).join(" ");
  process.stdout.write(`\n$ exlab-cache ${shown}\n`);
  const { status, error } = spawnSync(process.execPath, [bin, ...args], { stdio: "inherit" });
  if (error !== undefined || status !== 0) {
    const why = error === undefined ? `exited with ${status}` : `failed: ${error.message}`;
    process.stderr.write(`demo: \`exlab-cache ${args[0]}\` ${why}\n`);
    process.exit(status === null || status === 0 ? 2 : status);
  }
}

cli("sync", "--config", config, "--root", "./lab", "--create-root");
cli("mark-test-runs", "--root", "./lab", "--equipment", "CONFOCAL_01", "--project", "PROJ-0042");

// A test run as the application records it. Its data has a file whose name
// still holds a template marker, which blocks the run from syncing
// until an operator records an override for it.
process.stdout.write("\n# a test run recorded through the library: creation.json, sync_status, an override, a log line\n");
await mkdir(run, { recursive: true });
await writeFile(join(run, "notes_{{ sample_id }}.txt"), "Marker kept on purpose: the vendor's template names it so.\n");
const creations = new CreationCacheWriter();
const creation = runCreationPath(lab, "CONFOCAL_01", "PROJ-0042", runName);
try {
  await creations.create(creation, {
    created_by: "asmith",
    level: "run",
    run_kind: "test",
    lims_project: { uid: "", short_id: "PROJ-0042", name_at_creation: "PROJ-0042" },
    template: { name: "confocal_run_v2", version: "2.1", source_path: "/opt/exlab-wizard/templates/confocal_run_v2" },
    variables: { operator: "asmith", laser_nm: 488 },
    paths: { local: run, nas: "//nas01/lab/CONFOCAL_01" },
  });
  process.stdout.write(`created  ${creation}\n`);
  await creations.setSyncStatus(creation, "blocked_by_validation");
  const entry = await creations.addOverride(creation, {
    problem_class: "leftover_jinja_marker",
    operator: "asmith",
    reason: "The vendor's template names this file; approved by the PI.",
  });
  process.stdout.write(`override ${entry.id} recorded for leftover_jinja_marker\n`);
  await appendLogLine(logFilePath(join(lab, "CONFOCAL_01", ".exlab-wizard")), {
    at: new Date(),
    level: "INFO",
    equip: "CONFOCAL_01",
    proj: "PROJ-0042",
    kind: "test",
    run: runName,
    message: "demo run recorded",
  });
} catch (err) {
  if (!(err instanceof AlreadyExistsError)) throw err;
  process.stdout.write(`already present  ${creation}\n`);
}

cli("ls", "./lab");
cli("check", "./lab");
cli("runs", "./lab");
cli("gate", run);
cli("timeline", run);
