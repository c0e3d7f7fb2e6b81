/**
 * readLog splits lines on bytes and decodes only whole lines: wherever the
 * read chunks happen to end (inside a `\r\n`, inside a character, inside an
 * invalid sequence, inside an overlong line), the records are the same.
 */
import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { readLog, type LogRecord, type ReadLogOptions } from "exlab-cache";
import { tempDir } from "./helpers/tmp.js";

async function all(folder: string, options?: ReadLogOptions): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  for await (const r of readLog(folder, options)) out.push(r);
  return out;
}

/** Pieces that make lines of every kind the reader tells apart, and bytes that straddle chunk ends. */
const piece = fc.constantFrom<(string | number[])[]>(
  ["2026-04-17T14:00:00Z [INFO ] "],
  ["2026-04-17T14:00:0", "1Z [WARNING] [host:pc] [run:R1] "],
  ["2026-02-30T00:00:00Z [INFO ] no such day"],
  ["2026-04-17T14:00:02Z [ERROR] [equip:E] cut", "...[truncated]"],
  ["\n"],
  ["\r\n"],
  ["\r"],
  ["Traceback (most recent call last):"],
  ["é€😀"],
  [[0xff, 0xfe]],
  [[0xe2, 0x82]],
  [[0x80]],
  ["x".repeat(45)],
  ["] ["],
);

const fileBytes = fc.array(piece, { maxLength: 40 }).map((ps) => Buffer.concat(ps.flat().map((p) => (typeof p === "string" ? Buffer.from(p) : Buffer.from(p)))));

test("random chunk boundaries and line caps give the records of a whole-file read", async (t) => {
  const dir = await tempDir(t);
  let round = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(fileBytes, { minLength: 1, maxLength: 3 }), fc.integer({ min: 1, max: 97 }), fc.integer({ min: 1, max: 120 }), async (files, chunkBytes, maxLineBytes) => {
      const folder = join(dir, String(round++));
      await mkdir(folder);
      for (const [f, bytes] of files.entries()) await writeFile(join(folder, `wizard.h${f}.log`), bytes);
      const whole = await all(folder, { chunkBytes: 1 << 16, maxLineBytes });
      assert.deepEqual(await all(folder, { chunkBytes, maxLineBytes }), whole);
    }),
    { numRuns: 150 },
  );
});

test("every physical line comes back once, as read, whatever the chunks", async (t) => {
  const dir = await tempDir(t);
  let round = 0;
  await fc.assert(
    fc.asyncProperty(fileBytes, fc.integer({ min: 1, max: 97 }), async (bytes, chunkBytes) => {
      const folder = join(dir, String(round++));
      await mkdir(folder);
      await writeFile(join(folder, "wizard.h.log"), bytes);
      const records = await all(folder, { chunkBytes });
      const lines = records.flatMap((r) => [r.text, ...r.continuation]);
      // What a reader with no cap sees: split on \n, one \r dropped before it, decoded with U+FFFD.
      const expected = bytes.length === 0 ? [] : bytes.toString("utf8").replace(/\n$/, "").split("\n").map((l) => l.replace(/\r$/, ""));
      assert.deepEqual(lines, expected);
    }),
    { numRuns: 150 },
  );
});

test("calls made without waiting are answered in order, and return() after them closes the files", async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, "wizard.a.log"), "2026-04-17T14:00:00Z [INFO ] a0\n2026-04-17T14:00:02Z [INFO ] a2\n");
  await writeFile(join(dir, "wizard.b.log"), "2026-04-17T14:00:01Z [INFO ] b1\n");
  const it = readLog(dir, { chunkBytes: 7 });
  const [r1, r2, end, r3] = await Promise.all([it.next(), it.next(), it.return(), it.next()]);
  assert.deepEqual([r1.value?.message, r2.value?.message], ["a0", "b1"]);
  assert.equal(end.done, true);
  assert.equal(r3.done, true);
});
