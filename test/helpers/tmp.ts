/** A fresh temp directory per test, removed afterwards. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";

/** Make a temp dir that is removed when the test `t` ends. */
export async function tempDir(t: TestContext, prefix = "exlab-cache-"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A fixed clock that can be moved forward: time is injected, never slept on. */
export class FakeClock {
  #ms: number;
  constructor(start = "2026-04-17T14:00:00Z") {
    this.#ms = Date.parse(start);
  }
  readonly now = (): Date => new Date(this.#ms);
  advance(seconds: number): void {
    this.#ms += seconds * 1000;
  }
}

/** A valid equipment payload, with overrides. */
export function equipmentPayload(overrides: Record<string, unknown> = {}) {
  return {
    id: "CONFOCAL_01",
    label: "Confocal Microscope 1",
    configured_local_root: "/data/lab",
    configured_nas_root: "//nas01/lab",
    ...overrides,
  };
}
