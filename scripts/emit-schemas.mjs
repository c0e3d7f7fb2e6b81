// Writes the JSON Schema of each record to dist/json-schema/, from the same field
// lists the validators use, so the two cannot drift apart.
import { mkdir, writeFile } from "node:fs/promises";
import { equipmentJsonSchema, runsJsonSchema, testRunsJsonSchema } from "../dist/index.js";

const out = new URL("../dist/json-schema/", import.meta.url);
await mkdir(out, { recursive: true });
for (const [name, schema] of [
  ["equipment.schema.json", equipmentJsonSchema],
  ["test_runs.schema.json", testRunsJsonSchema],
  ["runs.schema.json", runsJsonSchema],
]) {
  await writeFile(new URL(name, out), `${JSON.stringify(schema, null, 2)}\n`);
}
