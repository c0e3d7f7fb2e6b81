/**
 * `exlab-cache log`: the real binary on real folders. --follow runs as a
 * child process that is written to, truncated, replaced and stopped; the
 * test waits on its output lines, never on time.
 */
import assert from "node:assert/strict";
import { appendFile, mkdir, rename, symlink, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { BIN, cli, stdoutJson } from "../helpers/cli.js";
import { finished, startChild } from "../helpers/children.js";
import { tempDir } from "../helpers/tmp.js";
import { Lines } from "./_watching.js";

const L = (sec: number, rest: string): string => `2026-04-17T14:00:${String(sec).padStart(2, "0")}Z ${rest}\n`;

async function lab(t: Parameters<typeof tempDir>[0]): Promise<{ equip: string; cache: string }> {
  const equip = join(await tempDir(t), "CONFOCAL_01");
  const cache = join(equip, ".exlab-wizard");
  await mkdir(cache, { recursive: true });
  await writeFile(join(cache, "wizard.local.log"), L(0, "[INFO ] [equip:CONFOCAL_01] creation completed") + L(3, "[ERROR] [run:R1] bad\x1b[2J\tthing") + "Traceback line\x07\n" + L(4, "[DEBUG] [run:R2] quiet"));
  await writeFile(join(cache, "wizard.labpc.log"), L(1, "[WARNING] [host:labpc] [run:R1] disk\u202elow") + "not a log line\n" + "2026-99-01T00:00:00Z [INFO ] bad month\n" + L(2, "[INFO ] [host:labpc] [run:R2] fine"));
  return { equip, cache };
}

test("log merges every host's file by time, each line after its host, escaped", async (t) => {
  const { equip, cache } = await lab(t);
  for (const folder of [equip, cache]) {
    const run = await cli(t, ["log", folder]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(
      run.stdout,
      [
        "local: 2026-04-17T14:00:00Z [INFO ] [equip:CONFOCAL_01] creation completed",
        "labpc: 2026-04-17T14:00:01Z [WARNING] [host:labpc] [run:R1] disk\\u202elow",
        "labpc: not a log line",
        "labpc: 2026-99-01T00:00:00Z [INFO ] bad month [unparsed]",
        "labpc: 2026-04-17T14:00:02Z [INFO ] [host:labpc] [run:R2] fine",
        "local: 2026-04-17T14:00:03Z [ERROR] [run:R1] bad\\x1b[2J\\tthing",
        "local: Traceback line\\x07",
        "local: 2026-04-17T14:00:04Z [DEBUG] [run:R2] quiet",
        "",
      ].join("\n"),
    );
  }
});

test("log --level, --since and --run filter entries; unparsed lines go with the entry before them", async (t) => {
  const { equip } = await lab(t);
  const lines = async (...args: string[]): Promise<string[]> => {
    const run = await cli(t, ["log", equip, ...args]);
    assert.equal(run.code, 0, run.stderr);
    // Each line without its host, shortened to its timestamp when it has one.
    return run.stdout.trimEnd().split("\n").map((l) => l.replace(/^\w+: /, "").replace(/^(\d{4}-\d\d-\d\dT[\d:]{8}Z) .*$/, "$1"));
  };
  assert.deepEqual(await lines("--level", "warn"), ["2026-04-17T14:00:01Z", "not a log line", "2026-99-01T00:00:00Z", "2026-04-17T14:00:03Z", "Traceback line\\x07"]);
  assert.deepEqual(await lines("--run", "R2"), ["2026-04-17T14:00:02Z", "2026-04-17T14:00:04Z"]);
  assert.deepEqual(await lines("--since", "2026-04-17T14:00:02Z", "--level", "INFO"), ["2026-04-17T14:00:02Z", "2026-04-17T14:00:03Z", "Traceback line\\x07"]);
  assert.deepEqual(await lines("--since", "2026-04-18"), [""]);

  const json = await cli(t, ["log", equip, "--run", "R1", "--json"]);
  assert.equal(json.code, 0);
  const doc = stdoutJson(json) as { version: number; files: { host: string }[]; records: { host: string; level: string | null; tags: object; message: string; continuation: string[]; kind: string }[] };
  assert.deepEqual(doc.files.map((f) => f.host), ["labpc", "local"]);
  assert.deepEqual(
    doc.records.map((r) => [r.kind, r.host, r.level, r.message, r.continuation]),
    [
      ["entry", "labpc", "WARNING", "disk\u202elow", ["not a log line"]],
      ["raw", "labpc", null, "2026-99-01T00:00:00Z [INFO ] bad month", []],
      ["entry", "local", "ERROR", "bad\x1b[2J\tthing", ["Traceback line\x07"]],
    ],
  );
});

test("log refuses a bad --level or --since, reports a missing folder, and exits 1 naming a file it cannot read", async (t) => {
  const { cache } = await lab(t);
  for (const args of [["--level", "LOUD"], ["--since", "yesterday"], ["--since", "2026-02-30T00:00:00Z"]]) {
    const run = await cli(t, ["log", cache, ...args]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /\[usage_error\]/);
  }
  const missing = await cli(t, ["log", join(cache, "nope"), "--json"]);
  assert.equal(missing.code, 2);
  assert.equal((stdoutJson(missing) as { error: { code: string } }).error.code, "not_found");
  await symlink("/etc/hostname", join(cache, "wizard.linked.log"));
  const run = await cli(t, ["log", cache]);
  assert.equal(run.code, 1);
  assert.equal(run.stderr, `warning: cannot read ${join(cache, "wizard.linked.log")}: ELOOP (a symbolic link)\n`);
  assert.equal(run.stdout.split("\n").length, 9);
});

interface Event {
  version: number;
  event: string;
  host?: string;
  message?: string;
  signal?: string | null;
}

/** The next event that is not `skip`. */
async function next(out: Lines, skip: readonly string[] = []): Promise<Event> {
  for (;;) {
    const e = JSON.parse(await out.next()) as Event;
    assert.equal(e.version, 1);
    if (!skip.includes(e.event)) return e;
  }
}

test("log --follow --json: appended lines, a truncated file, a replaced file and a new host's file, then SIGTERM stops it", async (t) => {
  const dir = await tempDir(t);
  const a = join(dir, "wizard.a.log");
  await writeFile(a, L(0, "[INFO ] one"));
  const child = startChild(t, process.execPath, [BIN, "log", dir, "--follow", "--json"]);
  const out = new Lines(child.stdout as NodeJS.ReadableStream);
  const done = finished(child);
  const rec = async (): Promise<string> => {
    const e = await next(out);
    assert.equal(e.event, "record", JSON.stringify(e));
    return `${e.host}:${e.message}`;
  };
  assert.equal(await rec(), "a:one");

  await appendFile(a, L(1, "[INFO ] two"));
  assert.equal(await rec(), "a:two");

  await truncate(a, 0);
  await appendFile(a, L(2, "[INFO ] after truncation"));
  assert.deepEqual(await next(out), { version: 1, event: "file_truncated", host: "a", file: a });
  assert.equal(await rec(), "a:after truncation");

  // Rotation: the file renamed away (its last line written just before), a new one in its place.
  await appendFile(a, L(3, "[INFO ] last of the old file"));
  await rename(a, `${a}.1`);
  await writeFile(`${a}.new`, L(4, "[INFO ] first of the new file"));
  await rename(`${a}.new`, a);
  const seen: string[] = [];
  for (let i = 0; i < 3; i++) {
    const e = await next(out);
    seen.push(e.event === "record" ? `${e.host}:${e.message}` : e.event);
  }
  // The old file's last line may be read before the rename is noticed, or after.
  assert.ok(seen.indexOf("a:last of the old file") < seen.indexOf("a:first of the new file"), seen.join(" | "));
  assert.deepEqual(seen.filter((s) => !s.startsWith("a:")).map((s) => s.replace("file_removed", "file_replaced")), ["file_replaced"]);
  if (seen.includes("file_removed")) assert.deepEqual(await next(out), { version: 1, event: "file_added", host: "a", file: a });

  await writeFile(join(dir, "wizard.b.log"), L(5, "[WARN ] [host:b] new host"));
  assert.deepEqual(await next(out), { version: 1, event: "file_added", host: "b", file: join(dir, "wizard.b.log") });
  assert.equal(await rec(), "b:new host");
  await appendFile(a, L(6, "[INFO ] still following the new a"));
  assert.equal(await rec(), "a:still following the new a");

  child.kill("SIGTERM");
  assert.deepEqual(await next(out), { version: 1, event: "stopped", signal: "SIGTERM" });
  const result = await done;
  assert.deepEqual([result.code, result.signal, result.stderr], [0, null, ""]);
});

test("log --follow for people: lines as they come, notices on stderr, SIGINT stops it cleanly with 130", async (t) => {
  const dir = await tempDir(t);
  const a = join(dir, "wizard.a.log");
  await writeFile(a, L(0, "[INFO ] one"));
  const child = startChild(t, process.execPath, [BIN, "log", dir, "--follow", "--level", "WARN"]);
  const out = new Lines(child.stdout as NodeJS.ReadableStream);
  const err = new Lines(child.stderr as NodeJS.ReadableStream);
  const done = finished(child);
  await appendFile(a, L(1, "[INFO ] filtered out") + L(2, "[ERROR] shown\x1b]0;x\x07"));
  assert.equal(await out.next(), "a: 2026-04-17T14:00:02Z [ERROR] shown\\x1b]0;x\\x07");
  await truncate(a, 0);
  assert.equal(await err.next(), `exlab-cache log: ${a}: file truncated, reading from its start`);
  await appendFile(a, L(3, "[WARN ] after"));
  assert.equal(await out.next(), "a: 2026-04-17T14:00:03Z [WARN ] after");
  child.kill("SIGINT");
  const result = await done;
  // As `sync --watch`: Ctrl-C is 130, SIGTERM (a service manager's stop) 0.
  assert.deepEqual([result.code, result.signal], [130, null]);
});
