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
import { listenForStop, stopSignals } from "../../src/cli/_signals.js";
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
