/**
 * Prints "ready", waits for "go" on stdin, then races to write the marker
 * argv[2] (kind argv[3]: "test" or "experimental") with project argv[4], and
 * prints its result ("true" if it created the file).
 */
import { createInterface } from "node:readline";
import { EquipmentCacheWriter } from "exlab-cache";

const [path, kind, project] = process.argv.slice(2) as [string, string, string];
const lines = createInterface({ input: process.stdin });
process.stdout.write("ready\n");
await new Promise((resolve) => lines.once("line", resolve));
lines.close();
const writer = new EquipmentCacheWriter();
const payload = { project, equipment: "CONFOCAL_01" };
const created = kind === "test" ? await writer.writeTestRunsMarker(path, payload) : await writer.writeRunsMarker(path, payload);
process.stdout.write(`${created}\n`);
