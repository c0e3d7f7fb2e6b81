/**
 * Saves the quiet period alone cannot tell from finished ones: a writer
 * that pauses mid-save with the file still open, and a read that overlaps a
 * write. Real processes and files; the overlap is made exact by a
 * preloaded `read` that appends the rest of the save at the moment the
 * watch's read reaches the end of the file.
 */
import assert from "node:assert/strict";
import { execFileSync, type ChildProcess } from "node:child_process";
import { appendFile, mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { needs } from "../helpers/capabilities.js";
import { BIN, cli } from "../helpers/cli.js";
import { finished, preloadCc, startChild, type ChildResult } from "../helpers/children.js";
import { tempDir } from "../helpers/tmp.js";
import { put } from "../helpers/tree.js";
import { Lines, label, nextPass, watch, type PassJson } from "./_watching.js";

/** A config whose last line is CONFOCAL_01's unquoted label, so that a cut in it is still valid YAML. */
function labelLast(lab: string, text: string): string {
  return `paths:\n  local_root: ${lab}\nequipment:\n  - id: FLOW_01\n    label: Flow\n    nas_root: //nas01/lab\n  - id: CONFOCAL_01\n    nas_root: //nas01/lab\n    label: ${text}\n`;
}

const statuses = (doc: PassJson): string[][] => doc.results?.map((r) => [r.id, r.status]) ?? [["event", doc.event, doc.error?.code ?? ""]];
const UPDATED = [["FLOW_01", "unchanged"], ["CONFOCAL_01", "updated"]];

/** The next pass, past the notices that the watch is waiting for a writer. */
async function nextSync(out: Parameters<typeof nextPass>[0]): Promise<PassJson> {
  for (;;) {
    const doc = await nextPass(out);
    if (doc.event !== "waiting") return doc;
  }
}

test("sync --watch on Linux does not sync the first half of a save whose writer pauses 1 s with the file open", async (t) => {
  const dir = await tempDir(t);
  const lab = join(dir, "lab");
  await mkdir(lab);
  const config = await put(join(dir, "config.yaml"), labelLast(lab, "Label v0"));
  const { child, out, done } = watch(t, config, true);
  assert.equal((await nextPass(out)).event, "sync");

  // A script's save: truncate, write up to the middle of the label, pause
  // a second with the file open, write the rest, close.
  const whole = labelLast(lab, "Confocal Microscope 4");
  const cut = whole.indexOf("Confocal") + "Confocal".length;
  const script = "const fs = require('fs'); const [file, a, b] = process.argv.slice(1); const fd = fs.openSync(file, 'w'); fs.writeSync(fd, a); setTimeout(() => { fs.writeSync(fd, b); fs.closeSync(fd); }, 1000);";
  const writer = finished(startChild(t, process.execPath, ["-e", script, config, whole.slice(0, cut), whole.slice(cut)]));

  const pass = await nextSync(out);
  assert.deepEqual(statuses(pass), UPDATED);
  // What that pass wrote, read before any later pass could run.
  assert.equal(await label(lab), "Confocal Microscope 4");
  assert.equal((await writer).code, 0);
  child.kill("SIGTERM");
  assert.deepEqual(await nextSync(out), { event: "stopped", config });
  assert.equal((await done).code, 0);
});

test("sync --watch does not sync a read that overlapped a write, even when it found the same bytes as the read before it", needs(["cc"]), async (t) => {
  const dir = await tempDir(t);
  const lab = join(dir, "lab");
  await mkdir(lab);
  const config = await put(join(dir, "config.yaml"), labelLast(lab, "Label v0"));
  // At the end of the file, on the second read that reaches it once the
  // trigger file exists, the rest of the save is appended before `read`
  // returns: that read found the same bytes as the first, but the file
  // changed under it (its size and times differ when the read ends).
  const src = join(dir, "torn.c");
  const lib = join(dir, "torn.so");
  await writeFile(
    src,
    [
      "#define _GNU_SOURCE",
      "#include <dlfcn.h>",
      "#include <fcntl.h>",
      "#include <stdio.h>",
      "#include <stdlib.h>",
      "#include <string.h>",
      "#include <unistd.h>",
      "typedef ssize_t (*read_fn)(int, void *, size_t);",
      "ssize_t read(int fd, void *buf, size_t n) {",
      "  static read_fn real;",
      "  static int ends;",
      '  if (real == 0) real = (read_fn)dlsym(RTLD_NEXT, "read");',
      "  ssize_t r = real(fd, buf, n);",
      '  const char *file = getenv("TORN_FILE"), *trigger = getenv("TORN_TRIGGER"), *rest = getenv("TORN_REST");',
      "  if (r != 0 || file == 0 || trigger == 0 || rest == 0 || access(trigger, F_OK) != 0) return r;",
      "  char proc[64], path[4096];",
      '  snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);',
      "  ssize_t len = readlink(proc, path, sizeof path - 1);",
      "  if (len < 0) return r;",
      "  path[len] = 0;",
      "  if (strcmp(path, file) != 0 || ++ends < 2) return r;",
      "  int w = open(file, O_WRONLY | O_APPEND);",
      "  if (w >= 0) { (void)!write(w, rest, strlen(rest)); close(w); }",
      "  unlink(trigger);",
      "  ends = 0;",
      "  return r;",
      "}",
      "",
    ].join("\n"),
  );
  execFileSync(preloadCc(), ["-shared", "-fPIC", "-o", lib, src, "-ldl"]);
  const whole = labelLast(lab, "Confocal Microscope 4");
  const cut = whole.indexOf("Confocal") + "Confocal".length;
  const trigger = join(dir, "trigger");
  const { child, out, done } = watch(t, config, true, undefined, { LD_PRELOAD: lib, TORN_FILE: config, TORN_TRIGGER: trigger, TORN_REST: whole.slice(cut) });
  assert.equal((await nextPass(out)).event, "sync");

  await writeFile(config, whole.slice(0, cut));
  await writeFile(trigger, "");
  const pass = await nextSync(out);
  assert.deepEqual(statuses(pass), UPDATED);
  assert.equal(await label(lab), "Confocal Microscope 4");
  child.kill("SIGTERM");
  assert.deepEqual(await nextSync(out), { event: "stopped", config });
  assert.equal((await done).code, 0);
});

test("--settle-ms is the knob for a writer no system can see: one that closes the file between its two halves", async (t) => {
  const dir = await tempDir(t);
  const lab = join(dir, "lab");
  await mkdir(lab);
  const whole = labelLast(lab, "Confocal Microscope 4");
  const cut = whole.indexOf("Confocal") + "Confocal".length;
  /** A watch of a new config, past its first pass. */
  const start = async (name: string, settle: string[]): Promise<{ config: string; child: ChildProcess; out: Lines; done: Promise<ChildResult> }> => {
    const config = await put(join(dir, name), labelLast(lab, "Label v0"));
    const child = startChild(t, process.execPath, [BIN, "sync", "--config", config, "--watch", "--json", ...settle]);
    const out = new Lines(child.stdout as NodeJS.ReadableStream);
    const done = finished(child);
    assert.equal((await nextPass(out)).event, "sync");
    return { config, child, out, done };
  };
  const stop = async ({ child, out, done }: { child: ChildProcess; out: Lines; done: Promise<ChildResult> }): Promise<void> => {
    child.kill("SIGTERM");
    for (let doc = await nextPass(out); doc.event !== "stopped"; doc = await nextPass(out));
    assert.equal((await done).code, 0);
  };

  // With the default settle period, a first half that stays as it is (the
  // rest is written only once the watch has synced it) is taken for the
  // whole save: the quiet period cannot tell.
  const quick = await start("config-default.yaml", []);
  await writeFile(quick.config, whole.slice(0, cut));
  assert.equal((await nextSync(quick.out)).event, "sync");
  assert.equal(await label(lab), "Confocal");
  await appendFile(quick.config, whole.slice(cut));
  assert.equal((await nextSync(quick.out)).event, "sync");
  assert.equal(await label(lab), "Confocal Microscope 4");
  await stop(quick);

  // A settle period well beyond the writer's pause (1 s; the half could be
  // synced only if the second write came more than 7 s after the first)
  // waits for the whole save.
  const slow = await start("config-slow.yaml", ["--settle-ms", "4000"]);
  const script = "const fs = require('fs'); const [file, a, b] = process.argv.slice(1); fs.writeFileSync(file, a); setTimeout(() => fs.appendFileSync(file, b), 1000);";
  const writer = finished(startChild(t, process.execPath, ["-e", script, slow.config, whole.slice(0, cut), whole.slice(cut)]));
  assert.equal((await nextSync(slow.out)).event, "sync");
  assert.equal(await label(lab), "Confocal Microscope 4");
  assert.equal((await writer).code, 0);
  await stop(slow);
});

test("--settle-ms takes whole milliseconds from 10 to 600000, and only with --watch; anything else is a usage error, nothing synced", async (t) => {
  const dir = await tempDir(t);
  const lab = join(dir, "lab");
  await mkdir(lab);
  const config = await put(join(dir, "config.yaml"), labelLast(lab, "Label v0"));
  for (const [value, watching, message] of [
    ["9", true, "Expected --settle-ms to be a whole number of milliseconds from 10 to 600000, got `9`"],
    ["600001", true, "Expected --settle-ms to be a whole number of milliseconds from 10 to 600000, got `600001`"],
    ["1e3", true, "Expected --settle-ms to be a whole number of milliseconds from 10 to 600000, got `1e3`"],
    ["-5", true, "Expected --settle-ms to be a whole number of milliseconds from 10 to 600000, got `-5`"],
    ["500", false, "Expected --settle-ms only with --watch"],
  ] as const) {
    const run = await cli(t, ["sync", "--config", config, `--settle-ms=${value}`, ...(watching ? ["--watch"] : [])]);
    assert.deepEqual([run.code, run.stdout, run.stderr.split("\n")[0]], [2, "", `error: ${message} [usage_error]`], value);
  }
  assert.deepEqual(await readdir(lab), []);
});
