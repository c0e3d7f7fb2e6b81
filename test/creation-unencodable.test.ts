/**
 * A mutator that leaves a value JSON cannot carry (a Date, a Map, a class
 * instance, a cycle...) is refused with `validation_failed` naming where it
 * is; nothing is written and the lock is released. Real files through
 * `CreationCacheWriter.update`.
 */
import assert from "node:assert/strict";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { test, type TestContext } from "node:test";
import { CreationCacheWriter, runCreationPath, type CreationJson } from "exlab-cache";
import { needs } from "./helpers/capabilities.js";
import { finished, startChild } from "./helpers/children.js";
import { PYTHON, filelockPeers, pyScript } from "./helpers/filelock.js";
import { tempDir } from "./helpers/tmp.js";

const LOCKER = filelockPeers().find((p) => p.protocol === "3.29")?.env ?? {};

const FILE =
  '{"schema_version":"1.9","created_at":"2026-04-17T14:32:00Z","created_by":"asmith","level":"run","run_kind":"test","lims_project":{"uid":"u","short_id":"P","name_at_creation":"C"},"template":{"name":"t","version":"2.1","source_path":"/t"},"variables":{"n":1.50},"paths":{"local":"/l","nas":""},"plugins_applied":[{"plugin":"A","version":"1","files_affected":[],"status":"success"}],"sync_status":"blocked_by_validation"}';

/** The variables as a JavaScript object a mutator may put anything in. */
const vars = (r: CreationJson): Record<string, unknown> => r.variables;

class Point {
  x = 1;
}

/** Each mutator, and the path its refusal must name. */
const CASES: readonly (readonly [string, (r: CreationJson) => void, string])[] = [
  ["a Date", (r) => void (vars(r)["s"] = new Date(0)), "variables.s"],
  ["a Map", (r) => void (vars(r)["s"] = new Map([["a", 1]])), "variables.s"],
  ["a Set", (r) => void (vars(r)["s"] = new Set([1])), "variables.s"],
  ["a class instance", (r) => void (vars(r)["s"] = new Point()), "variables.s"],
  ["a typed array", (r) => void (vars(r)["s"] = new Uint8Array([1, 2])), "variables.s"],
  ["a function", (r) => void (vars(r)["s"] = () => 1), "variables.s"],
  ["a symbol", (r) => void (vars(r)["s"] = Symbol("s")), "variables.s"],
  ["a bigint", (r) => void (vars(r)["s"] = 1n), "variables.s"],
  ["NaN", (r) => void (vars(r)["s"] = NaN), "variables.s"],
  ["Infinity", (r) => void (vars(r)["s"] = Infinity), "variables.s"],
  ["undefined inside an array", (r) => void (vars(r)["s"] = [1, undefined]), "variables.s[1]"],
  ["a Date deep inside", (r) => void (vars(r)["s"] = { a: [{ b: new Date(0) }] }), "variables.s.a[0].b"],
  ["a cycle", (r) => void (vars(r)["self"] = r.variables), "variables.self"],
  ["a cycle through an array", (r) => { const a: unknown[] = []; a.push(a); vars(r)["s"] = a; }, "variables.s[0]"],
  ["a class instance as a plugin entry", (r) => void (r.plugins_applied[0] = Object.assign(new Point(), r.plugins_applied[0]!) as unknown as CreationJson["plugins_applied"][0]), "plugins_applied[0]"],
];

async function lockIsFree(t: TestContext, path: string): Promise<boolean> {
  const probe = await finished(startChild(t, PYTHON, [pyScript("try_lock.py"), path], LOCKER));
  return probe.stdout.trim() === "acquired";
}

test("a value JSON cannot carry is refused with validation_failed at its path; the file is byte-identical and the lock free", needs(["python3"]), async (t) => {
  const path = runCreationPath(await tempDir(t), "CONFOCAL_01", "P", "Run_2026-04-17T14-32");
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, FILE);
  const writer = new CreationCacheWriter();
  for (const [what, mutator, at] of CASES) {
    await assert.rejects(writer.update(path, mutator), (err: unknown) => {
      const e = err as { code?: unknown; details?: { issues?: { path: string }[] } };
      assert.equal(e.code, "validation_failed", `${what}: ${String(err)}`);
      assert.ok(e.details?.issues?.some((i) => i.path === at), `${what}: ${JSON.stringify(e.details?.issues)}`);
      return true;
    }, what);
    assert.equal(await readFile(path, "utf8"), FILE, what);
  }
  assert.equal(await lockIsFree(t, path), true);
});
