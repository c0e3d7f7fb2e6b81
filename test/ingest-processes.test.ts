/**
 * ingest.json across processes: racing creators and racing advancers (ours
 * and an application-style Python writer under each filelock version) end
 * with one winner per step and one consistent history; a read returns while
 * another process holds the sidecar lock.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import type { ChildProcess } from "node:child_process";
import { IngestCacheWriter, LockTimeoutError, type IngestState } from "exlab-cache";
import { finished, startChild, waitForLine, workerScript } from "./helpers/children.js";
import { needs } from "./helpers/capabilities.js";
import { PYTHON, filelockPeers, pyScript } from "./helpers/filelock.js";

/** The 3.29 protocol stand-in: it runs wherever python3 does. */
const LOCKER = filelockPeers().find((p) => p.protocol === "3.29")?.env ?? {};
import { tempDir } from "./helpers/tmp.js";

const RUN = { project_name: "P", equipment_id: "CONFOCAL_01", run_kind: "test", run_path: "CONFOCAL_01/P/TestRuns/TestRun_2026-04-17T14-32", transport: "smb_mount" } as const;

/** Start every racer, wait until all are ready, release them together, and collect what each printed. */
async function race(children: ChildProcess[]): Promise<string[]> {
  await Promise.all(children.map((c) => waitForLine(c, "ready")));
  const results = children.map((c) => finished(c));
  for (const c of children) c.stdin?.write("go\n");
  return (await Promise.all(results)).map((r) => {
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.split("\n").filter((l) => l !== "" && l !== "ready").join("|");
  });
}

const ours = (t: TestContext, path: string, op: string, host: string): ChildProcess => startChild(t, process.execPath, [workerScript("ingest-step"), path, op, host]);

test("of 4 processes creating one ingest.json, exactly one creates it; the others get already_exists", async (t) => {
  const path = join(await tempDir(t), ".exlab-wizard", "ingest.json");
  const out = await race(Array.from({ length: 4 }, (_, i) => ours(t, path, "create", `racer-${i}`)));
  assert.equal(out.filter((o) => o === "ok").length, 1, out.join());
  assert.equal(out.filter((o) => o === "already_exists").length, 3, out.join());
  const record = await new IngestCacheWriter().read(path);
  assert.equal(record.history.length, 1);
  assert.equal(record.history[0]?.["host"], `racer-${out.indexOf("ok")}`);
});

test("of 4 processes making the same step, exactly one makes it; the others get illegal_transition", async (t) => {
  const path = join(await tempDir(t), "ingest.json");
  await new IngestCacheWriter({ durable: false }).create(path, RUN);
  for (const step of ["complete", "sync_queued"] as const) {
    const out = await race(Array.from({ length: 4 }, (_, i) => ours(t, path, step, `${step}-${i}`)));
    assert.equal(out.filter((o) => o === "ok").length, 1, out.join());
    assert.equal(out.filter((o) => o === "illegal_transition").length, 3, out.join());
  }
  const record = await new IngestCacheWriter().read(path);
  assert.deepEqual(record.history.map((e) => e["state"]), ["staging", "complete", "sync_queued"]);
});

for (const peer of filelockPeers()) {
  test(`ours and the application's append (filelock ${peer.version}) racing step by step: one winner each, one history, no lost step`, needs(peer.needs), async (t) => {
    const path = join(await tempDir(t), "ingest.json");
    await new IngestCacheWriter({ durable: false }).create(path, RUN);
    const steps: IngestState[] = ["complete", "sync_queued", "sync_verified", "cleared"];
    const winners: string[] = [];
    for (const step of steps) {
      const hosts = [`node-a-${step}`, `py-a-${step}`, `node-b-${step}`, `py-b-${step}`];
      const children = hosts.map((h) => (h.startsWith("node") ? ours(t, path, step, h) : startChild(t, PYTHON, [pyScript("ingest_app.py"), path, step, h], peer.env)));
      const out = await race(children);
      const won = out.map((o, i) => (o === "ok" ? hosts[i] : undefined)).filter((h) => h !== undefined);
      assert.equal(won.length, 1, `${step}: ${out.join()}`);
      assert.ok(out.every((o) => o === "ok" || o === "illegal_transition" || o === "illegal"), out.join());
      winners.push(won[0] as string);
    }
    const record = await new IngestCacheWriter().read(path);
    assert.deepEqual(record.history.map((e) => e["state"]), ["staging", ...steps]);
    assert.deepEqual(record.history.slice(1).map((e) => e["host"]), winners);
    assert.equal(record.current_state, "cleared");
  });
}

test("a read returns while a Python filelock holder keeps the sidecar locked; a write waits for it", needs(["python3"]), async (t) => {
  const path = join(await tempDir(t), "ingest.json");
  const ingest = new IngestCacheWriter({ durable: false, lockTimeoutMs: 200 });
  await ingest.create(path, RUN);
  const holder = startChild(t, PYTHON, [pyScript("hold_lock.py"), path], LOCKER);
  await waitForLine(holder, "locked");
  assert.equal((await ingest.read(path)).current_state, "staging");
  await assert.rejects(ingest.advance(path, "complete"), LockTimeoutError);
  holder.stdin?.write("release\n");
  await finished(holder);
  assert.equal((await ingest.advance(path, "complete")).current_state, "complete");
  assert.match(await readFile(path, "utf8"), /"current_state":"complete"/);
});
