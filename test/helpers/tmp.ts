/** A fresh temp directory per test, removed afterwards. */
import { chmod, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";

/**
 * Make every folder under `dir` searchable and writable by its owner again:
 * a test that took those bits away (to meet EACCES) must not leave a tree
 * that only root can remove.
 */
async function unlockTree(dir: string): Promise<void> {
  await chmod(dir, 0o700).catch(() => undefined);
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) if (e.isDirectory()) await unlockTree(join(dir, e.name));
}

/** Make a temp dir that is removed when the test `t` ends. */
export async function tempDir(t: TestContext, prefix = "exlab-cache-"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(async () => {
    try {
      await rm(dir, { recursive: true, force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EACCES") throw err;
      await unlockTree(dir);
      await rm(dir, { recursive: true, force: true });
    }
  });
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
