// The whole cycle in one go, on ./lab: sync the bundled config.yaml, mark a
// test-run folder, then list and check the tree. Run it twice: the second
// sync finds everything unchanged and the marker already present.
import { spawnSync } from "node:child_process";
import process from "node:process";
import { URL, fileURLToPath } from "node:url";

const bin = fileURLToPath(new URL("../dist/cli/bin.js", import.meta.url));
const config = fileURLToPath(new URL("./config.yaml", import.meta.url));
const steps = [
  ["sync", "--config", config, "--root", "./lab", "--create-root"],
  ["mark-test-runs", "--root", "./lab", "--equipment", "CONFOCAL_01", "--project", "PROJ-0042"],
  ["ls", "./lab"],
  ["check", "./lab"],
];

for (const args of steps) {
  const shown = args.map((a) => (a === config ? "examples/config.yaml" : a)).join(" ");
  process.stdout.write(`\n$ exlab-cache ${shown}\n`);
  const { status, error } = spawnSync(process.execPath, [bin, ...args], { stdio: "inherit" });
  if (error !== undefined || status !== 0) {
    const why = error === undefined ? `exited with ${status}` : `failed: ${error.message}`;
    process.stderr.write(`demo: \`exlab-cache ${args[0]}\` ${why}\n`);
    process.exit(status === null || status === 0 ? 2 : status);
  }
}
