/**
 * Every parse of a config is bounded: each shipped adversarial config is
 * refused with one line and a code (or, the largest legal one, parsed),
 * through every reader of a config; a refused save under `--watch` is
 * reported and the next one awaited; a signal during a parse stops it.
 * How long and how much memory each takes is measured in `npm run bench`
 * (scenario `config-bounds`), not here.
 */
import assert from "node:assert/strict";
import { readFile, readdir, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { readEquipmentConfig } from "../../src/config/equipment.js";
import { ExlabCacheError, StoppedError } from "../../src/errors.js";
import { syncFromConfig } from "../../src/sync/sync.js";
import { readAuditConfig } from "../../src/tree/config.js";
import { BOUNDS_FIXTURES, LARGEST_LEGAL_VALUES } from "../fixtures/config-bounds/index.js";
import { BIN, cli } from "../helpers/cli.js";
import { finished, startChild } from "../helpers/children.js";
import { tempDir } from "../helpers/tmp.js";
import { configText, nextPass, watch } from "./_watching.js";

const codeOf = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
    return "parsed";
  } catch (err) {
    if (err instanceof ExlabCacheError) return err.code;
    throw err;
  }
};

test("each shipped adversarial config is refused on one line with its code and position, or parsed; nothing is written", { timeout: 300_000 }, async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, "root");
  for (const fixture of BOUNDS_FIXTURES) {
    const config = join(dir, `${fixture.name}.yaml`);
    await writeFile(config, fixture.text());
    const run = await cli(t, ["sync", "--config", config, "--root", root, "--create-root"]);
    if (fixture.expect === "parsed" || (fixture.expect === "bounded" && run.code !== 2)) {
      assert.deepEqual([fixture.name, run.code, run.stderr.replace(/^error: .* \[validation_failed\]\n/gm, "")], [fixture.name, fixture.expect === "parsed" ? 0 : 1, ""]);
      continue;
    }
    if (fixture.expect === "bounded") {
      assert.match(run.stderr, /^error: [^\n]+ \[(yaml_parse_timeout|yaml_too_complex)\]\n$/, fixture.name);
      continue;
    }
    // One line, no stack; the scan's refusals say where, and a merge's does.
    const positioned = fixture.expect === "yaml_too_deep" || fixture.expect === "yaml_too_large";
    const shape = new RegExp(`^error: ${config.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}${positioned ? ":\\d+:\\d+" : "(?::\\d+:\\d+)?"}: [^\\n]+ \\[${fixture.expect}\\]\\n$`);
    assert.match(run.stderr, shape, `${fixture.name}: ${run.stderr.slice(0, 400)}`);
    assert.deepEqual([fixture.name, run.code, run.stdout], [fixture.name, 2, ""]);
  }
  assert.deepEqual(await readdir(dir).then((names) => names.includes("root")), false);
});

test("the library's readers of a config are bounded alike: readEquipmentConfig, syncFromConfig, readAuditConfig", { timeout: 120_000 }, async (t) => {
  const dir = await tempDir(t);
  for (const fixture of BOUNDS_FIXTURES) {
    if (fixture.expect === "file_too_large" || fixture.expect === "yaml_alias_limit" || fixture.expect === "bounded") continue;
    const config = join(dir, `${fixture.name}.yaml`);
    await writeFile(config, fixture.text());
    const want = fixture.expect;
    assert.equal(await codeOf(readEquipmentConfig(config)), want, `readEquipmentConfig ${fixture.name}`);
    assert.equal(await codeOf(syncFromConfig(config, { dryRun: true, root: dir })), want, `syncFromConfig ${fixture.name}`);
    // The audit reads the whole document; `b:` is not a section it checks.
    assert.equal(await codeOf(readAuditConfig(config)), want, `readAuditConfig ${fixture.name}`);
  }
});

test("sync --watch reports a save refused by a bound and syncs the next save", { timeout: 120_000 }, async (t) => {
  const dir = await tempDir(t);
  const lab = join(dir, "lab");
  const config = join(dir, "config.yaml");
  await writeFile(config, configText(lab, "Label v0"));
  await import("node:fs/promises").then((fs) => fs.mkdir(lab));
  const { child, out, done } = watch(t, config, true);
  assert.equal((await nextPass(out)).event, "sync");
  const deep = BOUNDS_FIXTURES.find((f) => f.name === "deep-flow-3000");
  const flood = BOUNDS_FIXTURES.find((f) => f.name === "alias-flood-1m");
  assert.ok(deep !== undefined && flood !== undefined);
  for (const [fixture, code] of [[deep, "yaml_too_deep"], [flood, "yaml_too_large"]] as const) {
    await writeFile(config, fixture.text());
    const refused = await nextPass(out);
    assert.deepEqual([refused.event, refused.error?.code], ["error", code]);
  }
  await writeFile(config, configText(lab, "Label v1"));
  const next = await nextPass(out);
  assert.equal(next.event, "sync");
  const record = JSON.parse(await readFile(join(lab, "CONFOCAL_01", ".exlab-wizard", "equipment.json"), "utf8")) as { label: string };
  assert.equal(record.label, "Label v1");
  child.kill("SIGTERM");
  assert.deepEqual(await nextPass(out), { event: "stopped", config });
  assert.equal((await done).code, 0);
});

/** CPU seconds `pid` has used (all its threads), or undefined where /proc is not. */
async function cpuSeconds(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

test("SIGTERM during the parse of a large legal config stops it: the command reports it cancelled, writes nothing and exits 143", { timeout: 120_000 }, async (t) => {
  const dir = await tempDir(t);
  const lab = join(dir, "lab");
  const config = join(dir, "config.yaml");
  // One entry, then the largest legal shape: parsed in the worker, slowly.
  await writeFile(config, `equipment:\n  - id: CONFOCAL_01\n    label: Confocal\n    local_root: ${lab}\n    nas_root: //nas/lab\nb: [${"0,".repeat(LARGEST_LEGAL_VALUES)}]\n`);
  const child = startChild(t, process.execPath, [BIN, "sync", "--config", config, "--create-root"]);
  const result = finished(child);
  // Into the parse: start-up takes about 0.1 s of CPU, the parse most of
  // a second more. CPU time, not wall time, so a busy machine changes nothing.
  for (let i = 0; i < 600; i++) {
    const cpu = await cpuSeconds(child.pid as number);
    if (cpu === undefined ? i >= 5 : cpu >= 0.3) break;
    if (child.exitCode !== null) break;
    await sleep(100);
  }
  child.kill("SIGTERM");
  const end = await result;
  assert.equal(end.stderr, `error: ${config}: not written: stopped by SIGTERM [cancelled]\n`);
  assert.deepEqual([end.code, end.stdout], [143, ""]);
  assert.deepEqual(await readdir(dir), ["config.yaml"]);
});

test("SIGTERM during a watch pass's parse stops it: the pass reports cancelled, then the watch stops (exit 0)", { timeout: 120_000 }, async (t) => {
  const dir = await tempDir(t);
  const lab = join(dir, "lab");
  const config = join(dir, "config.yaml");
  await writeFile(config, `equipment:\n  - id: CONFOCAL_01\n    label: Confocal\n    local_root: ${lab}\n    nas_root: //nas/lab\nb: [${"0,".repeat(LARGEST_LEGAL_VALUES)}]\n`);
  const { child, out, done } = watch(t, config, true);
  // The settle read waits without using the CPU: CPU time past start-up is the parse.
  for (let i = 0; i < 600; i++) {
    const cpu = await cpuSeconds(child.pid as number);
    if (cpu === undefined ? i >= 8 : cpu >= 0.3) break;
    if (child.exitCode !== null) break;
    await sleep(100);
  }
  child.kill("SIGTERM");
  const pass = await nextPass(out);
  assert.deepEqual([pass.event, pass.error?.code, pass.error?.message], ["error", "cancelled", `${config}: not written: stopped by SIGTERM`]);
  assert.deepEqual(await nextPass(out), { event: "stopped", config });
  assert.equal((await done).code, 0);
  assert.deepEqual(await readdir(dir), ["config.yaml"]);
});

test("the library's parse of a large config stops when its signal aborts: a StoppedError names the config, any other reason comes back as it is", { timeout: 60_000 }, async (t) => {
  const dir = await tempDir(t);
  const config = join(dir, "config.yaml");
  await writeFile(config, `equipment: []\nb: [${"0,".repeat(LARGEST_LEGAL_VALUES)}]\n`);
  const reason = new Error("enough");
  const audit = new AbortController();
  const pending = readAuditConfig(config, { signal: audit.signal });
  setTimeout(() => audit.abort(reason), 20);
  await assert.rejects(pending, (e) => e === reason);
  const sync = new AbortController();
  const read = readEquipmentConfig(config, { signal: sync.signal });
  setTimeout(() => sync.abort(new StoppedError("SIGINT")), 20);
  await assert.rejects(read, (e) => e instanceof StoppedError && e.signal === "SIGINT" && e.path === config && e.code === "cancelled");
});

test("a config parsed in the worker reports its entries and their problems exactly as one parsed in the calling thread", { timeout: 60_000 }, async (t) => {
  const dir = await tempDir(t);
  const lab = join(dir, "lab");
  await import("node:fs/promises").then((fs) => fs.mkdir(lab));
  const text = `paths:\n  local_root: ${lab}\nequipment:\n  - id: CONFOCAL_01\n    label: Confocal\n    nas_root: //nas/lab\n  - id: bad id\n    label: 3\n  - id: CONFOCAL_01\n    label: Again\n    nas_root: //nas/lab\n  - id: FLOW_01\n    label: Flow\n    nas_root: //nas/lab\n`;
  const small = join(dir, "small.yaml");
  const large = join(dir, "large.yaml");
  await writeFile(small, text);
  // The same entries, on the same lines, past the inline bound.
  await writeFile(large, `${text}#${" ".repeat(70 * 1024)}\n`);
  const runs = [];
  for (const config of [small, large]) {
    const human = await cli(t, ["sync", "--config", config, "--dry-run"]);
    const json = await cli(t, ["sync", "--config", config, "--dry-run", "--json"]);
    runs.push({ code: human.code, stderr: human.stderr.replaceAll(config, "<config>"), stdout: human.stdout, json: json.stdout.replaceAll(config, "<config>") });
  }
  assert.match(runs[0]?.stderr ?? "", /\[duplicate_id\]/);
  assert.match(runs[0]?.stderr ?? "", /<config>:7:\d+: equipment\.1\.id: /);
  assert.deepEqual(runs[1], runs[0]);
});

test("a busy machine never refuses the largest legal config: read and synced while CPU-bound processes take every core", { timeout: 300_000 }, async (t) => {
  const dir = await tempDir(t);
  const config = join(dir, "config.yaml");
  const legal = BOUNDS_FIXTURES.find((f) => f.name === "largest-legal");
  assert.ok(legal !== undefined && legal.expect === "parsed");
  await writeFile(config, legal.text());
  // Three processes spinning per core: the parse gets a fraction of one.
  const burners = Array.from({ length: Math.min(48, 3 * availableParallelism()) }, () => startChild(t, process.execPath, ["-e", "for (;;) {}"]));
  for (const burner of burners) {
    for (let i = 0; i < 100 && ((await cpuSeconds(burner.pid as number)) ?? 1) < 0.1; i++) await sleep(50);
  }
  for (let k = 0; k < 3; k++) assert.equal(await codeOf(readEquipmentConfig(config)), "parsed", `read ${k + 1} of 3 under load`);
  const run = await cli(t, ["sync", "--config", config, "--root", join(dir, "root"), "--create-root"]);
  assert.deepEqual([run.code, run.stderr], [0, ""]);
  for (const burner of burners) assert.equal(burner.exitCode, null, "the load lasted the whole test");
});
