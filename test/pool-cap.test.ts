/**
 * The cap on replaces queued on libuv's pool (src/fs/_pool.ts): no more
 * than the pool's size run at once, the rest start in call order as slots
 * free up, and a failed job frees its slot too. A bug here would stall
 * every write of a process, so the queue is checked on its own.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { atomicWriteFile } from "exlab-cache";
import { join } from "node:path";
import { readFile } from "node:fs/promises";
import { tempDir } from "./helpers/tmp.js";

interface PoolModule {
  MAX_LONG_JOBS: number;
  asLongJob<T>(job: () => Promise<T>): Promise<T>;
}
// The compiled module the package itself uses (not exported by the package).
const pool = (await import(new URL("../../dist/fs/_pool.js", import.meta.url).href)) as PoolModule;

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

test("the cap is libuv's pool size", () => {
  const env = process.env["UV_THREADPOOL_SIZE"];
  assert.equal(pool.MAX_LONG_JOBS, env === undefined ? 4 : Math.min(Math.max(1, Number.parseInt(env, 10) || 1), 1024));
});

test("at most the cap run at once; the rest start in call order; failures free their slot", async () => {
  const cap = pool.MAX_LONG_JOBS;
  const started: number[] = [];
  const finish: ((ok: boolean) => void)[] = [];
  const runs = Array.from({ length: cap * 3 }, (_, i) =>
    pool.asLongJob(
      () =>
        new Promise<number>((resolve, reject) => {
          started.push(i);
          finish[i] = (ok) => (ok ? resolve(i) : reject(new Error(`job ${i} failed`)));
        }),
    ),
  );
  await tick();
  assert.deepEqual(started, [...Array(cap).keys()]);
  finish[1]?.(false);
  await assert.rejects(runs[1] as Promise<number>, /job 1 failed/);
  await tick();
  assert.deepEqual(started, [...Array(cap + 1).keys()]);
  for (let i = 0; i < cap * 3; i++) {
    if (i !== 1) finish[i]?.(true);
    await tick();
  }
  assert.deepEqual(started, [...Array(cap * 3).keys()]);
  const settled = await Promise.allSettled(runs);
  assert.deepEqual(
    settled.map((s) => s.status),
    settled.map((_, i) => (i === 1 ? "rejected" : "fulfilled")),
  );
  // Every slot came back: a new job starts at once.
  let ran = false;
  await pool.asLongJob(() => {
    ran = true;
    return Promise.resolve();
  });
  assert.equal(ran, true);
});

test("many more concurrent writes than the cap all land, each with its own bytes", async (t) => {
  const dir = await tempDir(t);
  const n = pool.MAX_LONG_JOBS * 8;
  await Promise.all(Array.from({ length: n }, (_, i) => atomicWriteFile(join(dir, `f${i}.json`), `{"n":${i}}`)));
  for (let i = 0; i < n; i++) assert.equal(await readFile(join(dir, `f${i}.json`), "utf8"), `{"n":${i}}`);
});
