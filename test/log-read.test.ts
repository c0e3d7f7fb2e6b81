/**
 * readLog: every host's file in a folder, merged by time, streaming and
 * bounded; every line comes back as an entry, a continuation of one, or a
 * raw record — never dropped, never fatal.
 */
import assert from "node:assert/strict";
import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { appendLogLine, formatLogLine, readLog, type LogRecord, type ReadLogOptions } from "exlab-cache";
import { ownFdTargets } from "./helpers/proc.js";
import { tempDir } from "./helpers/tmp.js";

async function all(folder: string, options?: ReadLogOptions): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  for await (const r of readLog(folder, options)) out.push(r);
  return out;
}

const brief = (r: LogRecord): string => `${r.host}:${r.line}:${r.kind}${r.reason === undefined ? "" : `/${r.reason}`}:${r.message}${r.continuation.length > 0 ? `+${r.continuation.join("|")}` : ""}`;

test("files of several hosts are merged by time; equal times go in file name order; each file keeps its order", async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, "wizard.b.log"), "2026-04-17T14:00:01Z [INFO ] b1\n2026-04-17T14:00:03Z [INFO ] b3\n2026-04-17T14:00:03Z [INFO ] b3bis\n");
  await writeFile(join(dir, "wizard.a.log"), "2026-04-17T14:00:00Z [INFO ] a0\n2026-04-17T14:00:03Z [INFO ] a3\n2026-04-17T14:00:05Z [INFO ] a5\n");
  await writeFile(join(dir, "wizard.local.log"), "2026-04-17T14:00:02Z [INFO ] [equip:E] l2\n");
  await writeFile(join(dir, "other.log"), "2026-04-17T13:00:00Z [INFO ] not a host log\n");
  await mkdir(join(dir, "wizard.dir.log.d"));
  assert.deepEqual((await all(dir)).map((r) => `${r.host}:${r.message}`), ["a:a0", "b:b1", "local:l2", "a:a3", "b:b3", "b:b3bis", "a:a5"]);
});

test("CRLF, continuation lines, foreign levels, truncated lines, bad UTF-8, malformed and orphan lines all come back", async (t) => {
  const dir = await tempDir(t);
  const bytes = Buffer.concat([
    Buffer.from("not a log line at the top\r\n"),
    Buffer.from("2026-04-17T14:00:00Z [WARNING] [host:pc] first\r\n"),
    Buffer.from("Traceback (most recent call last):\r\n  File \"x.py\", line 1\r\n"),
    Buffer.from("2026-04-17T14:00:01Z [CRITICAL] bad bytes: "),
    Buffer.from([0xff, 0xfe, 0x0a]),
    Buffer.from("2026-13-01T00:00:00Z [INFO ] no such month\n"),
    Buffer.from(`2026-04-17T14:00:02Z [INFO ] ${"x".repeat(981)}...[truncated]\n`),
    Buffer.from("2026-04-17T14:00:03Z [DEBUG] \n"),
    Buffer.from("2026-04-17T14:00:04Z [INFO ] no newline at the end"),
  ]);
  await writeFile(join(dir, "wizard.pc.log"), bytes);
  const records = await all(dir);
  assert.deepEqual(records.map(brief), [
    "pc:1:raw/orphan_continuation:not a log line at the top",
    `pc:2:entry:first+Traceback (most recent call last):|  File "x.py", line 1`,
    "pc:5:entry:bad bytes: \ufffd\ufffd",
    "pc:6:raw/malformed:2026-13-01T00:00:00Z [INFO ] no such month",
    `pc:7:entry:${"x".repeat(981)}`,
    "pc:8:entry:",
    "pc:9:entry:no newline at the end",
  ]);
  const [, first, bad, , cut] = records;
  assert.equal(first?.level, "WARNING");
  assert.deepEqual(first?.tags, { host: "pc" });
  assert.equal(bad?.level, "CRITICAL");
  assert.equal(bad?.invalidUtf8, true);
  assert.equal(first?.invalidUtf8, false);
  assert.equal(cut?.truncated, true);
  assert.equal(first?.time, Date.parse("2026-04-17T14:00:00Z"));
});

test("a line longer than the cap comes back cut, as a raw record, and the next line is read normally", async (t) => {
  const dir = await tempDir(t);
  const huge = "é".repeat(20 * 1024 * 1024); // 40 MiB on one line
  await writeFile(join(dir, "wizard.h.log"), `2026-04-17T14:00:00Z [INFO ] ${huge}\n2026-04-17T14:00:01Z [INFO ] after\n`);
  const records = await all(dir, { maxLineBytes: 1000 });
  assert.equal(records.length, 2);
  const [long, after] = records;
  assert.equal(long?.kind, "raw");
  assert.equal(long?.reason, "overlong");
  assert.ok(Buffer.byteLength(long?.text ?? "") <= 1000 && Buffer.byteLength(long?.text ?? "") >= 998, "cut at the cap on a character boundary");
  assert.equal(long?.invalidUtf8, false);
  assert.equal(after?.message, "after");
  // Its text is the line's head: what follows the cap was never kept.
  assert.ok(long?.text.startsWith("2026-04-17T14:00:00Z [INFO ] éé"));
});

test("a file that cannot be read becomes one raw record beside the others", async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, "target.txt"), "2026-04-17T14:00:00Z [INFO ] via a link\n");
  await symlink(join(dir, "target.txt"), join(dir, "wizard.link.log"));
  await writeFile(join(dir, "wizard.ok.log"), "2026-04-17T14:00:00Z [INFO ] fine\n");
  assert.deepEqual((await all(dir)).map(brief), ["link:0:raw/unreadable:ELOOP (a symbolic link)", "ok:1:entry:fine"]);
  await assert.rejects(all(join(dir, "missing")), { code: "ENOENT" });
});

test("lines written by appendLogLine read back as the entries written, whatever the read chunk size", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "wizard.w.log");
  const entries = [
    { at: new Date("2026-04-17T14:00:00Z"), level: "INFO", equip: "E", proj: "P", kind: "test", run: "TestRun_2026-04-17T14-00", message: "created\nwith a newline é" },
    { at: new Date("2026-04-17T14:00:01Z"), level: "WARNING", message: "" },
    { at: new Date("2026-04-17T14:00:02Z"), level: "ERROR", host: "", message: "😀".repeat(400) },
  ];
  for (const e of entries) await appendLogLine(path, e);
  for (const chunkBytes of [1, 3, 7, 64 * 1024]) {
    const records = await all(dir, { chunkBytes });
    assert.deepEqual(records.map((r) => r.text), entries.map((e) => formatLogLine(e)), `chunk ${chunkBytes}`);
    assert.deepEqual(records[0]?.tags, { equip: "E", proj: "P", kind: "test", run: "TestRun_2026-04-17T14-00" });
    assert.equal(records[0]?.message, "created\\nwith a newline é");
    assert.equal(records[2]?.truncated, true);
  }
});

test("generated files: the merge holds every record once, in time order, each file's order kept, for any chunk size", async (t) => {
  const dir = await tempDir(t);
  let round = 0;
  const line = fc.oneof(
    { weight: 6, arbitrary: fc.tuple(fc.integer({ min: 0, max: 3 }), fc.string({ maxLength: 20 })).map(([dt, m]) => ({ dt, m, cont: false })) },
    { weight: 1, arbitrary: fc.string({ maxLength: 20 }).map((m) => ({ dt: 0, m, cont: true })) },
  );
  await fc.assert(
    fc.asyncProperty(fc.array(fc.array(line, { maxLength: 30 }), { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 200 }), async (files, chunkBytes) => {
      const folder = join(dir, String(round++));
      await mkdir(folder);
      const expected: string[] = [];
      for (const [f, lines] of files.entries()) {
        let time = Date.parse("2026-04-17T14:00:00Z");
        let text = "";
        for (const [i, l] of lines.entries()) {
          const safe = l.m.replace(/[\r\n]/g, "_");
          time += l.dt * 1000;
          text += l.cont ? `${safe}${i}\n` : `${new Date(time).toISOString().slice(0, 19)}Z [INFO ] ${f}/${i} ${safe}\n`;
        }
        expected.push(...text.split("\n").slice(0, -1));
        await writeFile(join(folder, `wizard.h${f}.log`), text);
      }
      const records = await all(folder, { chunkBytes });
      // Nothing lost or duplicated: every physical line appears once.
      const lines = records.flatMap((r) => [r.text, ...r.continuation]);
      assert.deepEqual([...lines].sort(), [...expected].sort());
      // Entries come out in time order, and each file's records in file order.
      const times = records.filter((r) => r.time !== undefined).map((r) => r.time ?? 0);
      assert.deepEqual(times, [...times].sort((a, b) => a - b));
      for (let f = 0; f < files.length; f++) {
        const ofFile = records.filter((r) => r.host === `h${f}`).map((r) => r.line);
        assert.deepEqual(ofFile, [...ofFile].sort((a, b) => a - b));
      }
    }),
    { numRuns: 60 },
  );
});

test("stopping early closes every file", async (t) => {
  const dir = await tempDir(t);
  for (const h of ["a", "b", "c"]) await writeFile(join(dir, `wizard.${h}.log`), "2026-04-17T14:00:00Z [INFO ] x\n".repeat(100));
  for await (const r of readLog(dir)) {
    assert.equal(r.kind, "entry");
    break;
  }
  assert.deepEqual((await ownFdTargets()).filter((p) => p.startsWith(dir)), []);
  const controller = new AbortController();
  controller.abort(new Error("enough"));
  await assert.rejects(all(dir, { signal: controller.signal }), /enough/);
  assert.deepEqual((await ownFdTargets()).filter((p) => p.startsWith(dir)), []);
});

test("continuation lines are bounded: past 1 MiB they start a raw record, and none is lost", async (t) => {
  const dir = await tempDir(t);
  const cont = `${"c".repeat(999)}\n`;
  await writeFile(join(dir, "wizard.h.log"), `2026-04-17T14:00:00Z [ERROR] huge traceback\n${cont.repeat(2100)}2026-04-17T14:00:01Z [INFO ] next\n`);
  const records = await all(dir);
  assert.deepEqual(records.map((r) => [r.kind, r.reason ?? "", r.continuation.length]), [
    ["entry", "", 1049],
    ["raw", "orphan_continuation", 1049],
    ["raw", "orphan_continuation", 0],
    ["entry", "", 0],
  ]);
  assert.equal(records.reduce((n, r) => n + (r.kind === "raw" ? 1 : 0) + r.continuation.length, 0), 2100);
});
