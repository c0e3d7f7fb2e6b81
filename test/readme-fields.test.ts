/**
 * readme_fields.json: the application's measured bytes (cache-family §8)
 * from the same fields, empty layers left out, `system_fields` order kept,
 * unknown members and a newer minor kept on rewrite, another major refused,
 * a corrupt file kept aside, and the write taken under the sidecar lock.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import {
  LockTimeoutError,
  ReadmeFieldsCacheWriter,
  SchemaMajorMismatchError,
  ValidationError,
  parseReadmeFields,
  type ReadmeFieldsInput,
} from "exlab-cache";
import { finished, startChild, waitForLine } from "./helpers/children.js";
import { needs } from "./helpers/capabilities.js";
import { PYTHON, REPO_ROOT, filelockPeers, pyScript } from "./helpers/filelock.js";

/** The 3.29 protocol stand-in: it runs wherever python3 does. */
const LOCKER = filelockPeers().find((p) => p.protocol === "3.29")?.env ?? {};
import { FakeClock, tempDir } from "./helpers/tmp.js";

const APP = readFileSync(join(REPO_ROOT, "test", "fixtures", "readme_fields", "app.json"), "utf8");
const appInput = (): ReadmeFieldsInput => {
  const parsed = JSON.parse(APP) as Record<string, unknown>;
  delete parsed["schema_version"];
  return parsed as unknown as ReadmeFieldsInput;
};

async function fresh(t: Parameters<typeof tempDir>[0]) {
  const dir = await tempDir(t);
  const warnings: string[] = [];
  const readme = new ReadmeFieldsCacheWriter({ durable: false, clock: new FakeClock("2026-04-17T14:32:00Z").now, onWarning: (w) => warnings.push(w.code) });
  return { dir, path: join(dir, "readme_fields.json"), readme, warnings };
}

test("the application's generator output, byte for byte, from the same fields", async (t) => {
  const { path, readme } = await fresh(t);
  const out = await readme.write(path, appInput());
  assert.equal(out.status, "created");
  assert.equal(await readFile(path, "utf8"), APP);
  assert.deepEqual(await readme.read(path), out.record);
});

test("empty layers are left out; generated_at defaults to the clock; run null at project level is written", async (t) => {
  const { path, readme } = await fresh(t);
  const input = appInput();
  const system = { created: "2026-04-17T14:32:00Z", created_by: "asmith", project: "PROJ-0042", run: null, run_kind: "experimental" };
  await readme.write(path, { core_fields: input.core_fields, system_fields: system, template_fields: {}, custom_fields: [] });
  assert.equal(
    await readFile(path, "utf8"),
    '{"schema_version":"1.1","generated_at":"2026-04-17T14:32:00Z","core_fields":{"label":"Cortex Q3 calibration sweep","operator":"asmith","objective":"Characterize."},"system_fields":{"created":"2026-04-17T14:32:00Z","created_by":"asmith","project":"PROJ-0042","run":null,"run_kind":"experimental"}}',
  );
  const read = await readme.read(path);
  assert.deepEqual(read.template_fields, {});
  assert.deepEqual(read.config_fields, {});
  assert.deepEqual(read.custom_fields, []);
});

test("reading keeps system_fields in file order", () => {
  const record = parseReadmeFields(Buffer.from(APP));
  assert.deepEqual(Object.keys(record.system_fields), ["created", "created_by", "equipment", "template", "project", "run", "run_kind"]);
});

test("a rewrite keeps members this version does not know and a newer minor's version", async (t) => {
  const { path, readme } = await fresh(t);
  await writeFile(path, APP.replace('"schema_version":"1.1"', '"schema_version":"1.4"').replace(/\}$/, ',"x_future":{"n":1.50}}'));
  const out = await readme.write(path, { ...appInput(), template_fields: {} });
  assert.equal(out.status, "updated");
  assert.equal(out.record.schema_version, "1.4");
  const text = await readFile(path, "utf8");
  assert.match(text, /^\{"schema_version":"1\.4",/);
  assert.match(text, /"custom_fields":\[\{"label":"Collaborator","value":"Dr\. J\. Lee"\}\],"x_future":\{"n":1\.50\}\}$/);
  assert.doesNotMatch(text, /template_fields/);
});

test("a file of another major is refused and left as it is; a corrupt one is kept aside and replaced", async (t) => {
  const { dir, path, readme, warnings } = await fresh(t);
  const other = APP.replace('"schema_version":"1.1"', '"schema_version":"2.0"');
  await writeFile(path, other);
  await assert.rejects(readme.write(path, appInput()), SchemaMajorMismatchError);
  await assert.rejects(readme.read(path), SchemaMajorMismatchError);
  assert.equal(await readFile(path, "utf8"), other);

  await writeFile(path, '{"schema_version":"1.1","core_fields":{"label":3}');
  const out = await readme.write(path, appInput());
  assert.equal(out.status, "repaired");
  assert.equal(await readFile(path, "utf8"), APP);
  assert.deepEqual(warnings, ["corrupt_file_preserved"]);
  assert.equal((await readdir(dir)).filter((n) => n.startsWith("readme_fields.json.corrupt-")).length, 1);
});

test("a bad payload is refused with every issue, nothing written", async (t) => {
  const { dir, path, readme } = await fresh(t);
  await assert.rejects(
    readme.write(path, { core_fields: { label: 3 }, system_fields: [], custom_fields: [{ label: null }], colour: 1 } as unknown as ReadmeFieldsInput),
    (e: unknown) => e instanceof ValidationError && e.issues.map((i) => i.path).join() === "core_fields,system_fields,custom_fields[0],colour",
  );
  assert.deepEqual(await readdir(dir), []);
});

test("the write takes the sidecar lock: it waits for a Python filelock holder", needs(["python3"]), async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "readme_fields.json");
  const holder = startChild(t, PYTHON, [pyScript("hold_lock.py"), path], LOCKER);
  await waitForLine(holder, "locked");
  const readme = new ReadmeFieldsCacheWriter({ durable: false, lockTimeoutMs: 200 });
  await assert.rejects(readme.write(path, appInput()), LockTimeoutError);
  holder.stdin?.write("release\n");
  await finished(holder);
  assert.equal((await readme.write(path, appInput())).status, "created");
});
