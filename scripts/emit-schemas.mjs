// Writes the JSON Schema of each record kind to dist/json-schema/, from the
// same descriptors the validators use, so the two cannot drift apart.
import { mkdir, writeFile } from "node:fs/promises";
import { jsonSchemaOf } from "../dist/schema/record.js";
import { RECORD_KINDS } from "../dist/schema/registry.js";

const out = new URL("../dist/json-schema/", import.meta.url);
await mkdir(out, { recursive: true });
for (const kind of RECORD_KINDS) {
  const name = kind.file.replace(/\.json$/, ".schema.json");
  await writeFile(new URL(name, out), `${JSON.stringify(jsonSchemaOf(kind), null, 2)}\n`);
}
