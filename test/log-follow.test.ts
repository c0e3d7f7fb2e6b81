/**
 * followLog in-process: what it hands out as a file grows line by line,
 * and that stopping it closes every file. Waits on events, never on time.
 */
import assert from "node:assert/strict";
import { appendFile, readdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { ValidationError, appendLogLine, appendRecord, followLog, logFiles, readLog, type FollowEvent } from "exlab-cache";
import { ownFdTargets } from "./helpers/proc.js";
import { tempDir } from "./helpers/tmp.js";

const L = (sec: number, rest: string): string => `2026-04-17T14:00:${String(sec).padStart(2, "0")}Z ${rest}\n`;

test("followLog: a partial line waits for its end, continuations join their entry while they come, later ones come out raw", async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, "wizard.a.log");
  await writeFile(file, L(0, "[INFO ] start"));
  const stop = new AbortController();
  const events = followLog(dir, { signal: stop.signal, intervalMs: 10 });
  const next = async (): Promise<FollowEvent> => {
    const r = await events.next();
    assert.equal(r.done, false);
    assert.ok(r.value !== undefined);
    return r.value;
  };
  const text = (e: FollowEvent): string => (e.event === "record" ? `${e.record.kind}:${e.record.text}+${e.record.continuation.join("|")}` : e.event);
  assert.equal(text(await next()), "entry:2026-04-17T14:00:00Z [INFO ] start+");

  // A line written in two pieces comes out once, whole, with the continuation written with it.
  await appendFile(file, "2026-04-17T14:00:01Z [ERROR] bro");
  await appendFile(file, "ken\nTraceback\n  line 1\n");
  assert.equal(text(await next()), "entry:2026-04-17T14:00:01Z [ERROR] broken+Traceback|  line 1");

  // A continuation that arrives after its entry was handed out cannot be attached any more.
  await appendFile(file, "late continuation\n");
  assert.equal(text(await next()), "raw:late continuation+");

  stop.abort();
  assert.deepEqual(await events.next(), { done: true, value: undefined });
  assert.deepEqual((await ownFdTargets()).filter((p) => p.startsWith(dir)), []);
});

test("followLog: an unreadable file is reported once; stopping before any event closes everything", async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, "target"), "x\n");
  await symlink(join(dir, "target"), join(dir, "wizard.l.log"));
  const stop = new AbortController();
  const seen: string[] = [];
  for await (const e of followLog(dir, { signal: stop.signal, intervalMs: 5 })) {
    seen.push(e.event === "record" ? `${e.record.reason ?? ""}:${e.record.message}` : e.event);
    // Written after the first look: proof that further looks ran without reporting the link again.
    await appendLogLine(join(dir, "wizard.b.log"), { at: new Date("2026-04-17T14:00:00Z"), level: "INFO", message: "b" });
    if (seen.includes(":b")) break;
  }
  stop.abort();
  assert.deepEqual(seen, ["unreadable:ELOOP (a symbolic link)", "file_added", ":b"]);
  assert.deepEqual((await ownFdTargets()).filter((p) => p.startsWith(dir)), []);
});

test("bad folder and path arguments are validation_failed before anything is touched", async (t) => {
  const cwd = await tempDir(t);
  const before = process.cwd();
  process.chdir(cwd);
  t.after(() => process.chdir(before));
  const entry = { at: new Date(), level: "INFO", message: "x" };
  for (const bad of ["", "x\0y", 42, null] as unknown as string[]) {
    const field = (name: string) => (e: unknown) => e instanceof ValidationError && e.code === "validation_failed" && e.field === name;
    await assert.rejects(appendLogLine(bad, entry), field("path"));
    await assert.rejects(appendRecord(bad, "x\n"), field("path"));
    await assert.rejects(logFiles(bad), field("folder"));
    await assert.rejects(readLog(bad).next(), field("folder"));
    await assert.rejects(followLog(bad).next(), field("folder"));
  }
  assert.deepEqual(await readdir(cwd), []);
});
