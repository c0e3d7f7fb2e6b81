/**
 * Run by a Windows node.exe under wine (test/platform/win32.test.ts). Writes
 * its result as JSON to argv[3]: node.exe cannot write to the host's pipes.
 *
 *   info <out>                       which addon file loaded, canWait
 *   try <out> <path>                 withFileLock with timeoutMs 0
 *   wait <out> <path> <ms> [<ready>] withFileLock with timeoutMs <ms> (<ready> created first)
 *   abort <out> <path> <ms>          withFileLock aborted by AbortSignal.timeout(<ms>)
 *   hold <out> <path> <ready> <release>   hold the lock until <release> exists
 *   hold-fs <out> <path> <ready> <release>
 *                                    writeEquipment with an `fs` option whose rename
 *                                    (made under the lock) waits for <release>
 *   replace <out> <path> <text>      atomicWriteFile then readCacheFile
 *   equipment <out> <root>           EquipmentCacheWriter: equipment.json and a marker, read back
 *   cli <out> <config> <args...>     the CLI's main() with `--config <config>` appended
 *   paths <out>                      the path helpers on drive-letter and UNC roots
 */
import type { PathLike } from "node:fs";
import * as fsp from "node:fs/promises";
import { access, writeFile } from "node:fs/promises";
import { EquipmentCacheWriter, atomicWriteFile, equipmentJsonPath, readCacheFile, testRunsMarkerPath, withFileLock } from "exlab-cache";
import { main } from "exlab-cache/cli";
import { equipmentPayload } from "../helpers/tmp.js";

interface NativeModule {
  nativeAddonPath(): string;
  flockBackend(): { canWait: boolean };
}

const [mode, out, a = "", b = "", c = ""] = process.argv.slice(2);
const report = (value: unknown): Promise<void> => writeFile(out as string, JSON.stringify(value));
const failure = (err: unknown): Record<string, unknown> => ({
  ok: false,
  name: (err as Error).name,
  code: (err as { code?: unknown }).code,
  message: (err as Error).message,
});

async function until(path: string): Promise<void> {
  for (;;) {
    try {
      await access(path);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

try {
  if (mode === "info") {
    const nat = (await import(new URL("../../../dist/fs/_native.js", import.meta.url).href)) as NativeModule;
    await report({ ok: true, path: nat.nativeAddonPath(), canWait: nat.flockBackend().canWait, platform: process.platform });
  } else if (mode === "try" || mode === "wait") {
    if (c !== "") await writeFile(c, "");
    await withFileLock(a, () => undefined, { timeoutMs: mode === "try" ? 0 : Number(b) });
    await report({ ok: true });
  } else if (mode === "abort") {
    await withFileLock(a, () => undefined, { signal: AbortSignal.timeout(Number(b)), timeoutMs: Infinity });
    await report({ ok: true });
  } else if (mode === "hold") {
    await withFileLock(a, async () => {
      await writeFile(b, "");
      await until(c);
    });
    await report({ ok: true });
  } else if (mode === "hold-fs") {
    const fs = {
      ...fsp,
      async rename(from: PathLike, to: PathLike): Promise<void> {
        await writeFile(b, "");
        await until(c);
        await fsp.rename(from, to);
      },
    };
    await new EquipmentCacheWriter({ fs, durable: false }).writeEquipment(a, equipmentPayload());
    await report({ ok: true });
  } else if (mode === "replace") {
    await atomicWriteFile(a, b);
    await report({ ok: true, text: (await readCacheFile(a)).toString("utf8") });
  } else if (mode === "equipment") {
    const writer = new EquipmentCacheWriter();
    const eqPath = equipmentJsonPath(a, "CONFOCAL_01");
    const markerPath = testRunsMarkerPath(a, "CONFOCAL_01", "PROJ-0042");
    const written = await writer.writeEquipment(eqPath, equipmentPayload());
    const first = await writer.writeTestRunsMarker(markerPath, { project: "PROJ-0042", equipment: "CONFOCAL_01" });
    const again = await writer.writeTestRunsMarker(markerPath, { project: "PROJ-0042", equipment: "CONFOCAL_01" });
    await report({ ok: true, eqPath, markerPath, written, read: await writer.readEquipment(eqPath), marker: await writer.readTestRunsMarker(markerPath), first, again });
  } else if (mode === "cli") {
    let stdout = "";
    let stderr = "";
    const io = {
      stdout: { write: (s: string) => void (stdout += s) },
      stderr: { write: (s: string) => void (stderr += s) },
      env: {},
      isTTY: { stdout: false, stderr: false },
    };
    const code = await main([...process.argv.slice(5), "--config", a], io);
    await report({ ok: true, code, stdout, stderr });
  } else if (mode === "paths") {
    await report({
      ok: true,
      drive: equipmentJsonPath("C:\\data\\lab", "CONFOCAL_01"),
      unc: testRunsMarkerPath("\\\\nas01\\lab", "CONFOCAL_01", "PROJ-0042"),
      slashes: equipmentJsonPath("//nas01/lab", "CONFOCAL_01"),
    });
  } else {
    await report({ ok: false, message: `unknown mode ${String(mode)}` });
  }
} catch (err) {
  await report(failure(err));
}
