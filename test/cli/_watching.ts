/**
 * Driving `sync --watch` in a child process: its output handed out line by
 * line as it arrives (tests wait on output, never on time), a config to
 * save, and the label a pass wrote.
 */
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { mkdir, readFile, readdir, readlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { BIN, cli } from "../helpers/cli.js";
import { finished, startChild } from "../helpers/children.js";
import { cachePaths, put } from "../helpers/tree.js";
import { tempDir } from "../helpers/tmp.js";
import { withFileLock } from "exlab-cache";

/** The lines a stream prints, handed out one at a time as they arrive. */
export class Lines {
  readonly #ready: string[] = [];
  readonly #waiting: ((line: string) => void)[] = [];
  #partial = "";
  /** @param stream - read as it prints; without one, lines come from {@link push}. */
  constructor(stream?: NodeJS.ReadableStream) {
    stream?.setEncoding("utf8");
    stream?.on("data", (d: string) => this.push(d));
  }
  /** Take `text` as if the stream had printed it. */
  push(text: string): void {
    const parts = (this.#partial + text).split("\n");
    this.#partial = parts.pop() ?? "";
    for (const line of parts) {
      const w = this.#waiting.shift();
      if (w !== undefined) w(line);
      else this.#ready.push(line);
    }
  }
  next(): Promise<string> {
    const line = this.#ready.shift();
    return line !== undefined ? Promise.resolve(line) : new Promise((resolve) => this.#waiting.push(resolve));
  }
}

/** A config of two entries whose first label is `label`. */
export function configText(lab: string, label: string): string {
  return `# watched\npaths:\n  local_root: ${lab}\nequipment:\n  - id: CONFOCAL_01\n    label: "${label}"\n    nas_root: //nas01/lab\n  - id: FLOW_01\n    label: Flow\n    nas_root: //nas01/lab\n`;
}

/** One line of `sync --watch --json`. */
export interface PassJson {
  event: string;
  config?: string;
  results?: { id: string; status: string; changed: string[]; errors: { code: string; message: string }[] }[];
  error?: { code: string; message: string };
}

export interface Watching {
  child: ChildProcess;
  out: Lines;
  err: Lines;
  done: ReturnType<typeof finished>;
}

/** Start `sync --config <config> --watch` (with `--json`), reaped when `t` ends. */
export function watch(t: TestContext, config: string, json: boolean, command: { file: string; args: string[] } = { file: process.execPath, args: [] }, env: NodeJS.ProcessEnv = {}): Watching {
  const child = startChild(t, command.file, [...command.args, BIN, "sync", "--config", config, "--watch", ...(json ? ["--json"] : [])], env);
  const out = new Lines(child.stdout as NodeJS.ReadableStream);
  const err = new Lines(child.stderr as NodeJS.ReadableStream);
  const done = finished(child);
  return { child, out, err, done };
}

/**
 * One line of `sync --watch --json`: an object with `version: 1`, as every
 * JSON document of the tool must be, returned without that member.
 */
export function parseLine(line: string): PassJson {
  const doc = JSON.parse(line) as PassJson & { version?: unknown };
  assert.equal(doc.version, 1, `a watch line without version 1: ${line}`);
  const { version: _version, ...rest } = doc;
  return rest;
}

/**
 * The next JSON line that is not a report of a missing file: a save that
 * replaces a file or a folder leaves a moment where there is none, which a
 * busy machine may let the watch see and rightly report.
 */
export async function nextPass(out: Lines, passOver: readonly string[] = ["not_found", "config_invalid"]): Promise<PassJson> {
  for (;;) {
    const doc = parseLine(await out.next());
    if (!(doc.event === "error" && passOver.includes(doc.error?.code ?? ""))) return doc;
  }
}

/** The label written in `lab`'s CONFOCAL_01 equipment.json. */
export async function label(lab: string): Promise<string> {
  return (JSON.parse(await readFile(cachePaths(lab).equipment, "utf8")) as { label: string }).label;
}

/** Resolve once process `pid` holds a descriptor on `path`. */
export async function waitForFd(pid: number, path: string): Promise<void> {
  for (;;) {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const fd of fds) if ((await readlink(`/proc/${pid}/fd/${fd}`).catch(() => "")) === path) return;
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** What a JSON watch said and did when stopped inside a pass waiting for a lock. */
export interface StoppedInLockWait {
  readonly lab: string;
  readonly config: string;
  /** The equipment.json whose lock was held. */
  readonly path: string;
  readonly last: PassJson;
  readonly stopped: PassJson;
  readonly exit: { code: number | null; signal: NodeJS.Signals | null };
}

/**
 * Start `sync --watch --json` on a lab labelled "Before", save "After" while
 * holding the first entry's lock, and send `signal` once the watch waits for
 * that lock. The lock is held until the watch has exited: it must not wait.
 */
export async function stopInLockWait(t: TestContext, signal: NodeJS.Signals): Promise<StoppedInLockWait> {
  const dir = await tempDir(t);
  const lab = join(dir, "lab");
  await mkdir(lab);
  const config = await put(join(dir, "config.yaml"), configText(lab, "Before"));
  const { child, out, done } = watch(t, config, true);
  await out.next();
  const path = cachePaths(lab).equipment;
  return withFileLock(path, async () => {
    await writeFile(config, configText(lab, "After"));
    await waitForFd(child.pid ?? 0, `${path}.lock`);
    child.kill(signal);
    const last = parseLine(await out.next());
    const stopped = parseLine(await out.next());
    return { lab, config, path, last, stopped, exit: await done };
  });
}

/** A lab synced once with label "Before", and its config now saying "After". */
export async function syncedLab(t: TestContext): Promise<{ lab: string; config: string }> {
  const dir = await tempDir(t);
  const lab = join(dir, "lab");
  await mkdir(lab);
  const config = await put(join(dir, "config.yaml"), configText(lab, "Before"));
  assert.equal((await cli(t, ["sync", "--config", config])).code, 0);
  await writeFile(config, configText(lab, "After"));
  return { lab, config };
}
