/**
 * The three Python `filelock` versions our lock must exclude: Debian's 3.9
 * (installed for /usr/bin/python3), 3.29.0 (the one the application pins)
 * and 4.0.8 (the newest), the last two from `../shared/peers/` beside the
 * repository (CI places a copy of shared/ there).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The interpreter every Python peer runs on. */
export const PYTHON = "/usr/bin/python3";

/** The repository root (this file is compiled to dist-test/test/helpers/). */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** A Python test script under test/python/. */
export function pyScript(name: string): string {
  return join(REPO_ROOT, "test", "python", name);
}

/** One filelock version and the environment that selects it. */
export interface FilelockPeer {
  readonly version: string;
  readonly env: NodeJS.ProcessEnv;
}

function peer(version: string): FilelockPeer {
  const dir = join(REPO_ROOT, "..", "shared", "peers", `filelock-${version}`);
  if (!existsSync(join(dir, "filelock"))) throw new Error(`filelock ${version} is expected in ${dir} (the shared/ folder beside the repository)`);
  return { version, env: { PYTHONPATH: dir, PYTHONDONTWRITEBYTECODE: "1" } };
}

/** Debian's 3.9, 3.29.0 and 4.0.8, in that order. */
export function filelockPeers(): FilelockPeer[] {
  return [{ version: "3.9 (Debian)", env: { PYTHONDONTWRITEBYTECODE: "1", PYTHONPATH: "" } }, peer("3.29.0"), peer("4.0.8")];
}
