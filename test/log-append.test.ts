/**
 * appendLogLine: one O_APPEND write per line, the folder made (durably)
 * when missing, no lock; concurrent appenders, ours and Python's
 * `open(path, "a")` as the application writes, never tear or lose a line.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdir, readFile, stat, symlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import {
  APP_LOG_HOST,
  NotRegularFileError,
  ValidationError,
  appendLogLine,
  defaultLogHost,
  formatLogLine,
  logFilePath,
  parseLogLine,
  sanitizeLogHost,
} from "exlab-cache";
import { finished, startChild, waitForLine, workerScript } from "./helpers/children.js";
import { PYTHON, pyScript } from "./helpers/filelock.js";
import { parsePayload } from "./helpers/log-lines.js";
import { openFlags, parseStrace } from "./helpers/strace.js";
import { tempDir } from "./helpers/tmp.js";

const AT = new Date("2026-04-17T14:32:05Z");

test("appendLogLine writes the formatted line and a newline, creating the missing folders, after what is there", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "CONFOCAL_01", ".exlab-wizard", "wizard.local.log");
  const first = { at: AT, level: "INFO", equip: "CONFOCAL_01", message: "creation completed" };
  await appendLogLine(path, first);
  await appendLogLine(path, { at: AT, level: "WARN", message: "two\nlines?" });
  assert.equal(await readFile(path, "utf8"), `${formatLogLine(first)}\n2026-04-17T14:32:05Z [WARN ] two\\nlines?\n`);
  const umask = process.umask();
  assert.equal((await stat(path)).mode & 0o777, 0o666 & ~umask);
});

test("concurrent appenders, 3 of ours and 3 Python open(path, 'a') writers, leave every line whole and none lost", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, ".exlab-wizard", "wizard.local.log");
  await mkdir(dirname(path));
  const N = 400;
  const ours = ["node0", "node1", "node2"].map((id) => ({ id, child: startChild(t, process.execPath, [workerScript("log-appender"), path, id, String(N)]) }));
  const theirs = ["py0", "py1", "py2"].map((id) => ({ id, child: startChild(t, PYTHON, [pyScript("log_append.py"), path, id, String(N)], { PYTHONDONTWRITEBYTECODE: "1" }) }));
  const all = [...ours, ...theirs];
  await Promise.all(all.map((w) => waitForLine(w.child, "ready")));
  const done = all.map((w) => finished(w.child));
  for (const w of all) w.child.stdin?.write("go\n");
  for (const [i, r] of (await Promise.all(done)).entries()) assert.equal(r.code, 0, `${all[i]?.id}: ${r.stderr}`);

  const text = await readFile(path, "utf8");
  assert.ok(text.endsWith("\n"));
  const lines = text.slice(0, -1).split("\n");
  assert.equal(lines.length, all.length * N);
  const seen = new Map<string, number[]>();
  for (const line of lines) {
    const parsed = parseLogLine(line);
    assert.ok(typeof parsed === "object", `not a whole line: ${line.slice(0, 120)}`);
    const p = parsePayload(parsed.message);
    assert.ok(p !== undefined, `torn message: ${line.slice(0, 120)}`);
    const writerTag = parsed.tags.host ?? parsed.tags.equip;
    assert.equal(writerTag, p.id);
    seen.set(p.id, [...(seen.get(p.id) ?? []), p.i]);
  }
  for (const w of all) assert.deepEqual(seen.get(w.id), Array.from({ length: N }, (_, i) => i), `${w.id}'s lines, in order`);
});

test("strace: one O_APPEND write per line, no lock, and each new folder fsynced into its parent", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "E", ".exlab-wizard", "wizard.h.log");
  const trace = join(dir, "trace.txt");
  const traced = "openat,open,write,writev,pwrite64,pwritev,fsync,fdatasync,mkdir,mkdirat,flock,fcntl";
  const child = startChild(t, "strace", ["-f", "-qq", "-s", "0", "-e", "signal=none", "-e", `trace=${traced}`, "-o", trace, process.execPath, workerScript("log-appender"), path, "w", "3"]);
  await waitForLine(child, "ready");
  const result = finished(child);
  child.stdin?.write("go\n");
  assert.equal((await result).code, 0);
  const events = parseStrace(await readFile(trace, "utf8"));
  const opens = events.filter((e) => e.name === "openat" && e.paths[0] === path && e.ret >= 0);
  assert.equal(opens.length, 3);
  for (const o of opens) for (const f of ["O_WRONLY", "O_CREAT", "O_APPEND", "O_NOFOLLOW", "O_CLOEXEC"]) assert.ok(openFlags(o).has(f), `opened without ${f}`);
  const writes = events.filter((e) => /^(p?writev?|pwrite64)$/.test(e.name) && e.fdPath === path);
  assert.equal(writes.length, 3, "one write per line");
  assert.deepEqual(events.filter((e) => e.name === "flock" || (e.name === "fcntl" && /F_SETLK/.test(e.args))).length, 0, "no lock");
  const made = events.filter((e) => e.name.startsWith("mkdir") && e.ret === 0).map((e) => e.paths[0] ?? "");
  assert.deepEqual(made, [join(dir, "E"), dirname(path)]);
  for (const m of made) {
    const mk = events.find((e) => e.name.startsWith("mkdir") && e.paths[0] === m);
    assert.ok(events.some((e) => e.name === "fsync" && e.fdPath === dirname(m) && e.start > (mk?.end ?? 0) && e.end < (opens[0]?.start ?? 0)), `${dirname(m)} fsynced after ${m} was made`);
  }
});

test("appendLogLine refuses a bad entry, a symbolic link, a folder and a FIFO, and writes nothing", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "wizard.h.log");
  await assert.rejects(appendLogLine(path, { at: AT, level: "INFO", message: "\ud800" }), ValidationError);
  await assert.rejects(stat(path), { code: "ENOENT" });
  const target = join(dir, "elsewhere.txt");
  await writeFile(target, "keep\n");
  await symlink(target, path);
  await assert.rejects(appendLogLine(path, { at: AT, level: "INFO", message: "x" }), (e: unknown) => e instanceof NotRegularFileError && e.code === "not_regular_file");
  assert.equal(await readFile(target, "utf8"), "keep\n");
  await mkdir(join(dir, "wizard.d.log"));
  await assert.rejects(appendLogLine(join(dir, "wizard.d.log"), { at: AT, level: "INFO", message: "x" }), NotRegularFileError);
  const fifo = join(dir, "wizard.f.log");
  execFileSync("mkfifo", [fifo]);
  await assert.rejects(appendLogLine(fifo, { at: AT, level: "INFO", message: "x" }), NotRegularFileError);
});

test("log file names: this machine's sanitised name by default, the app's wizard.local.log only by name", () => {
  assert.equal(defaultLogHost(), sanitizeLogHost(hostname()) === "local" ? "host-local" : sanitizeLogHost(hostname()));
  assert.notEqual(defaultLogHost().toLowerCase(), "local");
  assert.equal(logFilePath("/d"), `/d/wizard.${defaultLogHost()}.log`);
  assert.equal(logFilePath("/d", { host: APP_LOG_HOST }), "/d/wizard.local.log");
  assert.equal(sanitizeLogHost("LabPC 04/a"), "LabPC-04-a");
  assert.equal(sanitizeLogHost("..x.y."), "x.y");
  assert.equal(sanitizeLogHost("ラボ"), "unknown-host");
  assert.equal(sanitizeLogHost("a".repeat(80)).length, 63);
  for (const bad of ["", "../x", "a/b", "a b", ".x", "x.", "a".repeat(64)]) {
    assert.throws(() => logFilePath("/d", { host: bad }), (e: unknown) => e instanceof ValidationError && e.field === "host", bad);
  }
});
