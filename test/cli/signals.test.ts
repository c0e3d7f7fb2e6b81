/**
 * The stop signals as each platform delivers them, through the process's
 * signal source: Windows' SIGBREAK (Ctrl-Break) and SIGHUP (console window
 * closed) cannot be sent on Linux, so they are emitted on a stand-in for
 * `process` carrying the platform's name, wired to the CLI exactly as
 * `_process.ts` wires the real one.
 */
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { main } from "exlab-cache/cli";
import { DRAIN_WAIT_MS, ending, listenForStop, stopSignals } from "../../src/cli/_signals.js";
import { tempDir } from "../helpers/tmp.js";
import { put } from "../helpers/tree.js";
import { Lines, configText } from "./_watching.js";

test("the stop signals listened for: SIGHUP everywhere, SIGBREAK only on Windows", () => {
  for (const platform of ["linux", "darwin", "win32"] as const) {
    const source = new EventEmitter();
    listenForStop(source, platform, () => undefined);
    const listened = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK"].filter((s) => source.listenerCount(s) > 0);
    assert.deepEqual(listened, platform === "win32" ? ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK"] : ["SIGINT", "SIGTERM", "SIGHUP"], platform);
    assert.deepEqual([...stopSignals(platform)].sort(), [...listened].sort());
  }
});

test("without a command to wind down, or on a second signal, the process exits with the signal's code", () => {
  const source = new EventEmitter();
  const exits: number[] = [];
  const { onStop } = listenForStop(source, "win32", (code) => exits.push(code));
  for (const s of ["SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK"]) source.emit(s, s);
  assert.deepEqual(exits, [129, 130, 143, 149]);
  const told: string[] = [];
  onStop((s) => told.push(s ?? "?"));
  source.emit("SIGBREAK", "SIGBREAK");
  source.emit("SIGBREAK", "SIGBREAK");
  assert.deepEqual([told, exits.slice(4)], [["SIGBREAK"], [149]]);
});

for (const [signal, code] of [["SIGBREAK", 149], ["SIGHUP", 129]] as const) {
  test(`on Windows, ${signal} stops sync --watch as Ctrl-C does: the stopped line, then exit ${code}`, async (t) => {
    const dir = await tempDir(t);
    const lab = join(dir, "lab");
    await mkdir(lab);
    const config = await put(join(dir, "config.yaml"), configText(lab, "One"));
    const source = new EventEmitter();
    const exits: number[] = [];
    const { onStop } = listenForStop(source, "win32", (c) => exits.push(c));
    const out = new Lines();
    const exit = main(["sync", "--config", config, "--watch"], {
      stdout: { write: (text: string) => out.push(text) },
      stderr: { write: (text: string) => out.push(`stderr: ${text}`) },
      env: {},
      isTTY: { stdout: false, stderr: false },
      onStop,
    });
    assert.equal(await out.next(), `synced ${config}: 2 equipment entries: 2 created; created CONFOCAL_01, created FLOW_01`);
    source.emit(signal, signal);
    assert.equal(await out.next(), `stopped watching ${config}`);
    assert.deepEqual([await exit, exits], [code, []]);
  });
}

/** A process for {@link ending} whose output never drains (its terminal is gone), with its timers held by the test. */
function undrained(platform: NodeJS.Platform): { p: Parameters<typeof ending>[0]; ends: string[]; timers: Map<symbol, [() => void, number]> } {
  const ends: string[] = [];
  const timers = new Map<symbol, [() => void, number]>();
  const p = {
    platform,
    exit: (code: number) => void ends.push(`exit ${code}`),
    hangUp: (code: number) => void ends.push(`hang up ${code}`),
    drained: () => new Promise<void>(() => undefined),
    setTimeout: (callback: () => void, ms: number) => {
      const handle = Symbol("timer");
      timers.set(handle, [callback, ms]);
      return handle;
    },
    clearTimeout: (handle: unknown) => void timers.delete(handle as symbol),
  };
  return { p, ends, timers };
}

test("after SIGHUP the process ends by SIGHUP once its output drained, or after the drain wait; a second signal meanwhile ends it at once", () => {
  const waited = undrained("linux");
  ending(waited.p)(129, "SIGHUP");
  assert.deepEqual([waited.ends, [...waited.timers.values()].map(([, ms]) => ms)], [[], [DRAIN_WAIT_MS]]);
  for (const [callback] of waited.timers.values()) callback();
  assert.deepEqual(waited.ends, ["hang up 129"]);

  for (const second of ["SIGHUP", "SIGINT"]) {
    const twice = undrained("linux");
    const end = ending(twice.p);
    end(129, "SIGHUP");
    end(second === "SIGHUP" ? 129 : 130, second);
    assert.deepEqual([twice.ends, twice.timers.size], [["hang up 129"], 0], second);
    end(129, "SIGHUP");
    assert.deepEqual(twice.ends, ["hang up 129"], second);
  }
});

test("without SIGHUP, or on Windows, the process just exits with the code", () => {
  for (const [platform, code, signal] of [["linux", 0, undefined], ["linux", 130, "SIGINT"], ["win32", 129, "SIGHUP"]] as const) {
    const run = undrained(platform);
    ending(run.p)(code, signal);
    assert.deepEqual(run.ends, [`exit ${code}`], `${platform} ${signal}`);
  }
});
