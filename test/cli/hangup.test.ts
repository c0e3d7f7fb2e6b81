/**
 * SIGHUP (the terminal closed) stops every long-running command as Ctrl-C
 * does: the watch prints its `stopped` line, `log --follow` its `stopped`
 * event, a sync waiting for a lock reports what it did not write. Then the
 * process ends by SIGHUP itself (a shell's 129), as before, but only once
 * all that is said; and when the terminal really is gone, it ends so
 * instead of aborting.
 */
import assert from "node:assert/strict";
import { appendFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { constants } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { withFileLock } from "exlab-cache";
import { BIN } from "../helpers/cli.js";
import { PYTHON, needs } from "../helpers/capabilities.js";
import { finished, startChild } from "../helpers/children.js";
import { tempDir } from "../helpers/tmp.js";
import { cachePaths, put } from "../helpers/tree.js";
import { Lines, configText, label, stopInLockWait, syncedLab, waitForFd, watch } from "./_watching.js";

test("sync --watch stopped by SIGHUP prints its stopped line, then ends by the signal", async (t) => {
  const dir = await tempDir(t);
  const lab = join(dir, "lab");
  await mkdir(lab);
  const config = await put(join(dir, "config.yaml"), configText(lab, "One"));
  const { child, out, done } = watch(t, config, false);
  assert.equal(await out.next(), `synced ${config}: 2 equipment entries: 2 created; created CONFOCAL_01, created FLOW_01`);
  child.kill("SIGHUP");
  assert.equal(await out.next(), `stopped watching ${config}`);
  const result = await done;
  assert.deepEqual([result.code, result.signal, result.stderr], [null, "SIGHUP", ""]);
});

test("sync --watch --json: SIGHUP during a pass waiting for a lock reports the entries not written, then stopped", async (t) => {
  const result = await stopInLockWait(t, "SIGHUP");
  const { lab, config, path } = result;
  assert.deepEqual(
    result.last.results?.map((r) => [r.id, r.status, r.errors.map((e) => e.message)]),
    [
      ["CONFOCAL_01", "cancelled", [`${path}: not written: stopped by SIGHUP`]],
      ["FLOW_01", "cancelled", [`${cachePaths(lab, "FLOW_01").equipment}: not written: stopped by SIGHUP`]],
    ],
  );
  assert.deepEqual(result.stopped, { event: "stopped", config });
  assert.deepEqual([result.exit.code, result.exit.signal], [null, "SIGHUP"]);
  assert.equal(await label(lab), "Before");
});

test("one-shot sync: SIGHUP while waiting for a held lock reports every entry as cancelled", async (t) => {
  const { lab, config } = await syncedLab(t);
  const path = cachePaths(lab).equipment;
  const run = await withFileLock(path, async () => {
    const child = startChild(t, process.execPath, [BIN, "sync", "--config", config]);
    const done = finished(child);
    await waitForFd(child.pid ?? 0, `${path}.lock`);
    child.kill("SIGHUP");
    return done;
  });
  assert.deepEqual([run.code, run.signal, run.stderr], [null, "SIGHUP", ""]);
  const flow = cachePaths(lab, "FLOW_01").equipment;
  assert.deepEqual(run.stdout.split("\n"), [
    `cancelled  CONFOCAL_01  ${path}: not written: stopped by SIGHUP [cancelled]`,
    `cancelled  FLOW_01      ${flow}: not written: stopped by SIGHUP [cancelled]`,
    "2 equipment entries: 2 cancelled",
    "",
  ]);
  assert.equal(await label(lab), "Before");
});

test("log --follow --json stopped by SIGHUP prints its stopped event", async (t) => {
  const dir = await tempDir(t);
  const a = join(dir, "wizard.a.log");
  await writeFile(a, "2026-04-17T14:00:00Z [INFO ] one\n");
  const child = startChild(t, process.execPath, [BIN, "log", dir, "--follow", "--json"]);
  const out = new Lines(child.stdout as NodeJS.ReadableStream);
  const done = finished(child);
  assert.equal((JSON.parse(await out.next()) as { message: string }).message, "one");
  await appendFile(a, "2026-04-17T14:00:01Z [INFO ] two\n");
  assert.equal((JSON.parse(await out.next()) as { message: string }).message, "two");
  child.kill("SIGHUP");
  assert.deepEqual(JSON.parse(await out.next()), { version: 1, event: "stopped", signal: "SIGHUP" });
  const result = await done;
  assert.deepEqual([result.code, result.signal, result.stderr], [null, "SIGHUP", ""]);
});

test("sync --watch in a terminal that closes: the stopped line reaches its output file, and the process ends by SIGHUP, not by an abort", needs(["python3"]), async (t) => {
  const dir = await tempDir(t);
  const lab = join(dir, "lab");
  await mkdir(lab);
  const config = await put(join(dir, "config.yaml"), configText(lab, "One"));
  const output = join(dir, "watch.out");
  // The watch runs on a pseudo-terminal (its stdin and stderr), its stdout
  // to a file; once it has synced, the terminal's master side is closed, as
  // when a terminal window or an SSH session goes away, and the kernel
  // hangs up the session.
  const script = [
    "import os, pty, sys, time",
    "out, argv = sys.argv[1], sys.argv[2:]",
    "open(out, 'wb').close()",
    "pid, fd = pty.fork()",
    "if pid == 0:",
    "    f = os.open(out, os.O_WRONLY)",
    "    os.dup2(f, 1)",
    "    os.execv(argv[0], argv)",
    "while b'synced' not in open(out, 'rb').read():",
    "    time.sleep(0.02)",
    "os.close(fd)",
    "_, status = os.waitpid(pid, 0)",
    "print('exit', os.WEXITSTATUS(status) if os.WIFEXITED(status) else '-', 'signal', os.WTERMSIG(status) if os.WIFSIGNALED(status) else '-')",
  ].join("\n");
  const run = await finished(startChild(t, PYTHON, ["-c", script, output, process.execPath, BIN, "sync", "--config", config, "--watch"]));
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual([run.stdout, await readFile(output, "utf8")], [
    `exit - signal ${constants.signals.SIGHUP}\n`,
    `synced ${config}: 2 equipment entries: 2 created; created CONFOCAL_01, created FLOW_01\nstopped watching ${config}\n`,
  ]);
});

test("sync --watch in a background process group on a terminal that closes: no SIGHUP comes, the next line it prints fails with EIO, and it ends by SIGHUP, not by a crash or with 0", needs(["python3"]), async (t) => {
  const dir = await tempDir(t);
  const lab = join(dir, "lab");
  await mkdir(lab);
  const config = await put(join(dir, "config.yaml"), configText(lab, "One"));
  // The watch's stdin, stdout and stderr are a pseudo-terminal that is not
  // its controlling one, in a process group of its own: closing the master
  // side sends it no SIGHUP. Once it has synced, the master is closed and
  // the config saved; the watch's next line fails with EIO.
  const script = [
    "import os, subprocess, sys",
    "config, text, argv = sys.argv[1], sys.argv[2], sys.argv[3:]",
    "master, slave = os.openpty()",
    "child = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, preexec_fn=os.setpgrp)",
    "os.close(slave)",
    "seen = b''",
    "while b'\\n' not in seen.partition(b'synced')[2]:",
    "    seen += os.read(master, 4096)",
    "os.close(master)",
    "with open(config, 'w') as f:",
    "    f.write(text)",
    "status = child.wait()",
    "print('signal' if status < 0 else 'exit', abs(status))",
  ].join("\n");
  const run = await finished(startChild(t, PYTHON, ["-c", script, config, configText(lab, "Two"), process.execPath, BIN, "sync", "--config", config, "--watch"]));
  assert.deepEqual([run.stdout, run.stderr], [`signal ${constants.signals.SIGHUP}\n`, ""]);
});
