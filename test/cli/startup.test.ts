import assert from "node:assert/strict";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { pathToFileURL } from "node:url";
import { BIN, PACKAGE_ROOT, cli, runNodeIn } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";
import { put } from "../helpers/tree.js";
import { configText } from "./_watching.js";

const RECORDER = new URL("../helpers/record-loads.js", import.meta.url);
const DIST = pathToFileURL(join(PACKAGE_ROOT, "dist")).href;

/** Run the binary with `args`, recording every module it imports; the package's own as paths under dist/. */
async function loadsOf(t: TestContext, args: string[]): Promise<{ code: number | null; modules: string[] }> {
  const file = join(await tempDir(t), "loaded.txt");
  const run = await runNodeIn(t, "--import", [RECORDER.href, BIN, ...args], { env: { EXLAB_LOADED_MODULES: file } });
  const text = await readFile(file, "utf8").catch(() => "");
  const modules = [...new Set(text.split("\n").filter((l) => l !== ""))].map((u) => (u.startsWith(`${DIST}/`) ? u.slice(DIST.length + 1) : u));
  return { code: run.code, modules };
}

const isCommand = (m: string): boolean => m.startsWith("cli/commands/");
const isYaml = (m: string): boolean => m.includes("/node_modules/yaml/") || m.startsWith("config/");

test("the recorder sees what a process imports (else the tests below prove nothing)", async (t) => {
  const { modules } = await loadsOf(t, ["ls", "--help"]);
  assert.ok(modules.includes("cli/main.js"), modules.join("\n"));
  assert.ok(modules.includes("cli/commands/ls.js"), modules.join("\n"));
});

for (const flag of ["--version", "-v"]) {
  test(`exlab-cache ${flag} loads nothing of the package but the binary and the version reader`, async (t) => {
    const { code, modules } = await loadsOf(t, [flag]);
    assert.equal(code, 0);
    assert.deepEqual(modules.filter((m) => !m.startsWith("node:")).sort(), ["cli/_version.js", "cli/bin.js"]);
  });
}

for (const args of [["--help"], ["help"], []]) {
  test(`exlab-cache ${args.join(" ") || "(no arguments)"} loads no command module and no YAML parser`, async (t) => {
    const { code, modules } = await loadsOf(t, args);
    assert.equal(code, args.length === 0 ? 2 : 0);
    assert.ok(modules.includes("cli/main.js"));
    assert.deepEqual(modules.filter((m) => isCommand(m) || isYaml(m)), []);
    // Nor the width tables, the writer or the tree walk.
    assert.deepEqual(modules.filter((m) => m.includes("string-width") || m.startsWith("cache/") || m.startsWith("tree/") || m.startsWith("fs/")), []);
  });
}

test("a mistyped command loads no command module, nor anything a command uses", async (t) => {
  const { code, modules } = await loadsOf(t, ["synk"]);
  assert.equal(code, 2);
  assert.deepEqual(modules.filter((m) => isCommand(m) || isYaml(m) || m.startsWith("cache/") || m.startsWith("fs/")), []);
});

test("each command loads only its own module: ls no YAML parser nor the writer; a one-shot sync not the watch", async (t) => {
  const root = await tempDir(t);
  const ls = await loadsOf(t, ["ls", root]);
  assert.equal(ls.code, 0);
  assert.deepEqual(ls.modules.filter(isCommand), ["cli/commands/ls.js"]);
  assert.deepEqual(ls.modules.filter((m) => isYaml(m) || m === "cache/writer.js"), []);

  const lab = join(root, "lab");
  await mkdir(lab);
  const config = await put(join(root, "config.yaml"), configText(lab, "One"));
  const sync = await loadsOf(t, ["sync", "--config", config]);
  assert.equal(sync.code, 0);
  assert.deepEqual(sync.modules.filter(isCommand), ["cli/commands/sync.js"]);
  assert.ok(sync.modules.some((m) => m.includes("/node_modules/yaml/")), "sync parses YAML");
  assert.deepEqual(sync.modules.filter((m) => m.startsWith("cli/watch/") || m.startsWith("sync/watch/") || m.startsWith("tree/")), []);
});

test("every entry of the command table loads a command of its own name", async (t) => {
  const { COMMANDS } = await import("exlab-cache/cli");
  for (const entry of COMMANDS) assert.equal((await entry.load()).name, entry.name);
  const help = await cli(t, ["--help"]);
  for (const entry of COMMANDS) assert.ok(help.stdout.includes(`  ${entry.name}`));
});
