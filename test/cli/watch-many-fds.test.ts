/**
 * The look for a process holding the config open for writing (Linux,
 * `/proc`) on a system where one process holds as many descriptors as its
 * limit allows (about 20,000 here), all on a file of no interest: the look
 * stays within a small heap, stops when the watch is stopped, and a look
 * that runs out of its budget says it cannot tell. Real processes.
 */
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { link, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { settledRead } from "../../src/sync/watch/settle.js";
import { heldForWriting } from "../../src/sync/watch/writers.js";
import { PYTHON, needs } from "../helpers/capabilities.js";
import { startChild } from "../helpers/children.js";
import { tempDir } from "../helpers/tmp.js";
import { put } from "../helpers/tree.js";
import { Lines, configText, label, nextPass, watch, type PassJson } from "./_watching.js";

/**
 * A process holding `file` open `count` times (fewer when its hard limit
 * is lower), plus, with `write`, once for writing; resolves with the number
 * held once they all are.
 */
async function holder(t: TestContext, file: string, count: number, write?: string): Promise<{ child: ChildProcess; held: number }> {
  const script = [
    "import os, resource, sys, time",
    "file, count, write = sys.argv[1], int(sys.argv[2]), sys.argv[3]",
    "_, hard = resource.getrlimit(resource.RLIMIT_NOFILE)",
    "resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))",
    "n = min(count, hard - 64)",
    "fds = [os.open(file, os.O_RDONLY) for _ in range(n)]",
    "if write: fds.append(os.open(write, os.O_WRONLY | os.O_APPEND))",
    "print(n, flush=True)",
    "time.sleep(3600)",
  ].join("\n");
  const child = startChild(t, PYTHON, ["-c", script, file, String(count), write ?? ""]);
  const held = Number(await new Lines(child.stdout as NodeJS.ReadableStream).next());
  return { child, held };
}

/** The next pass of the watch, past its notices. */
async function nextSync(out: Lines): Promise<PassJson> {
  for (;;) {
    const doc = await nextPass(out);
    if (doc.event !== "notice" && doc.event !== "waiting") return doc;
  }
}

test("sync --watch with a 32 MB heap, while another process holds 20,000 descriptors: it syncs each save and stops on SIGTERM", { ...needs(["python3"]), timeout: 180_000 }, async (t) => {
  const dir = await tempDir(t);
  const lab = join(dir, "lab");
  await mkdir(lab);
  const other = await put(join(dir, "other.txt"), "of no interest\n");
  const { held } = await holder(t, other, 20_000);
  assert.ok(held >= 10_000, `the holder could open only ${held} descriptors`);
  const config = await put(join(dir, "config.yaml"), configText(lab, "One"));
  const { child, out, done } = watch(t, config, true, { file: process.execPath, args: ["--max-old-space-size=32"] });
  // A watch that dies (out of memory) fails the test at once.
  const ended = done.then((r) => assert.fail(`the watch ended: ${r.signal ?? r.code}: ${r.stderr.split("\n").slice(0, 3).join(" / ")}`));
  assert.equal((await Promise.race([nextSync(out), ended])).event, "sync");
  await writeFile(config, configText(lab, "Two"));
  assert.equal((await Promise.race([nextSync(out), ended])).event, "sync");
  assert.equal(await label(lab), "Two");
  // A save, and the stop while the watch settles it (looking through the
  // holder's descriptors, or about to).
  await writeFile(config, configText(lab, "Three"));
  child.kill("SIGTERM");
  let doc = await nextSync(out);
  while (doc.event === "sync") doc = await nextSync(out);
  assert.deepEqual(doc, { event: "stopped", config });
  const result = await done;
  assert.deepEqual([result.code, result.signal], [0, null], result.stderr);
});

test("the look for a writer finds one among 20,000 other descriptors on the config, and one using another hard link of it", needs(["python3"]), async (t) => {
  const dir = await tempDir(t);
  const config = await put(join(dir, "config.yaml"), "label: one\n");
  const { child: readers } = await holder(t, config, 20_000);
  // Each of these is looked at closely (its name is the config's): time
  // enough for that on any machine, this is not about speed.
  const unhurried = { budgetMs: 600_000 };
  assert.equal(await heldForWriting(config, unhurried), false);
  readers.kill("SIGKILL");
  const other = join(dir, "saved-as.yaml");
  await link(config, other);
  const { child: writer } = await holder(t, join(dir, "config.yaml"), 10, other);
  assert.equal(await heldForWriting(config, unhurried), true);
  writer.kill("SIGKILL");
});

test("a look for a writer stopped by its signal answers no; one that runs out of its budget answers that it cannot tell", needs(["python3"]), async (t) => {
  const dir = await tempDir(t);
  const config = await put(join(dir, "config.yaml"), "label: one\n");
  const { held } = await holder(t, await put(join(dir, "other.txt"), "x\n"), 20_000, config);
  assert.equal(await heldForWriting(config, { budgetMs: 600_000 }), true);
  assert.equal(await heldForWriting(config, { signal: AbortSignal.abort() }), false);
  // The writer's descriptor comes after the holder's others.
  assert.equal(await heldForWriting(config, { maxEntries: Math.floor(held / 2) }), undefined);
});

test("a settling read whose look for a writer cannot tell says so once, asks no more, and trusts two agreeing reads", async (t) => {
  const dir = await tempDir(t);
  const config = await put(join(dir, "config.yaml"), "label: one\n");
  let asked = 0;
  let told = 0;
  let periods = 0;
  const read = await settledRead(config, {
    quiet: () => Promise.resolve(++periods < 10),
    heldOpen: () => {
      asked++;
      return Promise.resolve(undefined);
    },
    maxHeldPeriods: 5,
    onUnknown: () => told++,
  });
  assert.deepEqual([read?.snapshot?.bytes.toString(), asked, told, periods], ["label: one\n", 1, 1, 1]);
});
