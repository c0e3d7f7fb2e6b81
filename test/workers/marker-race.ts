/**
 * Prints "ready", waits for "go" on stdin, then races to write the marker
 * argv[2] (kind argv[3]: "test" or "experimental") and prints its result.
 */
import { createInterface } from "node:readline";
import { EquipmentCacheWriter } from "exlab-cache";

const [path, kind, label] = process.argv.slice(2) as [string, string, string];
const lines = createInterface({ input: process.stdin });
process.stdout.write("ready\n");
await new Promise((resolve) => lines.once("line", resolve));
lines.close();
const writer = new EquipmentCacheWriter();
const payload = { project: label, equipment: "CONFOCAL_01" };
const created = kind === "test" ? await writer.writeTestRunsMarker(path, payload) : await writer.writeRunsMarker(path, payload);
process.stdout.write(`${created}\n`);
