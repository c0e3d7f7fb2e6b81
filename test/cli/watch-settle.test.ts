import assert from "node:assert/strict";
import { appendFile, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { main, type CliIo } from "exlab-cache/cli";
import { tempDir } from "../helpers/tmp.js";
import { put } from "../helpers/tree.js";
import { Lines, label, type PassJson, parseLine } from "./_watching.js";

type Timers = NonNullable<CliIo["timers"]>;

/**
 * The watch's timers, fired by the test: time passes only when the test
 * says so, and the test can tell when the watch is waiting.
 */
class HandFiredTimers implements Timers {
  readonly #pending = new Map<symbol, () => void>();
  #waiting: (() => void)[] = [];

  setTimeout(callback: () => void, _ms: number): unknown {
    const handle = Symbol("timer");
    this.#pending.set(handle, callback);
    for (const w of this.#waiting.splice(0)) w();
    return handle;
  }

  clearTimeout(handle: unknown): void {
    if (typeof handle === "symbol") this.#pending.delete(handle);
  }

  /** Resolve once the watch is waiting on a timer. */
  waiting(): Promise<void> {
    return this.#pending.size > 0 ? Promise.resolve() : new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** Let the time the watch waits for pass. */
  fire(): void {
    const due = [...this.#pending.values()];
    this.#pending.clear();
    for (const callback of due) callback();
  }
}

/** A config whose last line is CONFOCAL_01's unquoted label, so that a cut in it is still valid YAML. */
function labelLast(lab: string, label: string): string {
  return `paths:\n  local_root: ${lab}\nequipment:\n  - id: FLOW_01\n    label: Flow\n    nas_root: //nas01/lab\n  - id: CONFOCAL_01\n    nas_root: //nas01/lab\n    label: ${label}\n`;
}

test("sync --watch does not sync a half-saved file that is valid YAML: it waits until two reads a quiet period apart agree", async (t) => {
  const dir = await tempDir(t);
  const lab = join(dir, "lab");
  await mkdir(lab);
  const config = await put(join(dir, "config.yaml"), labelLast(lab, "Confocal 1"));
  const timers = new HandFiredTimers();
  const out = new Lines();
  let stop: ((signal?: string) => void) | undefined;
  const io: CliIo = {
    stdout: { write: (text: string) => out.push(text) },
    stderr: { write: (text: string) => out.push(`stderr: ${text}`) },
    env: {},
    isTTY: { stdout: false, stderr: false },
    timers,
    onStop: (s) => {
      stop = s;
      return () => (stop = undefined);
    },
  };
  const exit = main(["sync", "--config", config, "--watch", "--json"], io);
  let line = out.next();
  /** The watch's next step: a line printed, or (undefined) a wait begun. */
  const step = (): Promise<{ printed: string } | undefined> => Promise.race([line.then((printed) => ({ printed })), timers.waiting().then(() => undefined)]);
  /** Let every wait pass until the watch prints a line. */
  const untilLine = async (): Promise<PassJson> => {
    for (;;) {
      const next = await step();
      if (next !== undefined) {
        line = out.next();
        return parseLine(next.printed);
      }
      timers.fire();
    }
  };

  const first = await untilLine();
  assert.deepEqual(first.results?.map((r) => [r.id, r.status]), [["FLOW_01", "created"], ["CONFOCAL_01", "created"]]);

  // A save written in two pieces; the first ends inside the label.
  const whole = labelLast(lab, "Confocal Microscope 1");
  const cut = whole.indexOf("Microscope") + "Micr".length;
  await writeFile(config, whole.slice(0, cut));
  const seen = await step();
  assert.equal(seen, undefined, `synced a half-saved file: ${seen?.printed}`);
  // The quiet period after the first piece: the watch reads the half file.
  timers.fire();
  const afterRead = await step();
  assert.equal(afterRead, undefined, `synced a half-saved file: ${afterRead?.printed}`);
  await appendFile(config, whole.slice(cut));

  const synced = await untilLine();
  assert.deepEqual(synced.results?.map((r) => [r.id, r.status, r.changed]), [["FLOW_01", "unchanged", []], ["CONFOCAL_01", "updated", ["label"]]]);
  assert.equal(await label(lab), "Confocal Microscope 1");

  assert.ok(stop !== undefined);
  stop("SIGTERM");
  assert.deepEqual(await untilLine(), { event: "stopped", config });
  assert.equal(await exit, 0);
});
