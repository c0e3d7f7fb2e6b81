/**
 * The Python `filelock` peers our lock must exclude. Every protocol in the
 * field has a stand-in of ours (test/python/standin/, written from each
 * version's documented behaviour) that runs wherever python3 does; the real
 * versions run too where the machine has them: Debian's 3.9 (installed for
 * /usr/bin/python3) and 3.29.0 (the one the application pins) and 4.0.8
 * (the newest) from `../shared/peers/` beside the repository.
 */
import { join } from "node:path";
import { PYTHON, REPO_ROOT, realFilelockDir, type Capability } from "./capabilities.js";

export { PYTHON, REPO_ROOT };

/** A Python test script under test/python/. */
export function pyScript(name: string): string {
  return join(REPO_ROOT, "test", "python", name);
}

/** The protocols of the versions in the field. */
export type Protocol = "3.9" | "3.29" | "4";

/** One filelock, the environment that selects it, and what it needs. */
export interface FilelockPeer {
  /** How tests name it: "3.29 protocol (stand-in)", "3.29.0". */
  readonly version: string;
  readonly protocol: Protocol;
  readonly env: NodeJS.ProcessEnv;
  /**
   * Whether it opens the sidecar with O_NOFOLLOW: 3.29 and 4.x do, upstream
   * 3.9.0 does not, Debian 12's 3.9.0 (3.9.0-1+deb12u1) was patched to.
   */
  readonly nofollow: boolean;
  /** What the machine must have to run it. */
  readonly needs: readonly Capability[];
}

/** The directory holding the stand-in `filelock` package of `protocol`. */
export function standinDir(protocol: Protocol): string {
  return join(REPO_ROOT, "test", "python", "standin", `filelock-${protocol}`);
}

const env = (dir: string): NodeJS.ProcessEnv => ({ PYTHONPATH: dir, PYTHONDONTWRITEBYTECODE: "1" });

/** The stand-ins of 3.9, 3.29 and 4.x, then Debian's 3.9, 3.29.0 and 4.0.8. */
export function filelockPeers(): FilelockPeer[] {
  const standins = (["3.9", "3.29", "4"] as const).map(
    (protocol): FilelockPeer => ({ version: `${protocol} protocol (stand-in)`, protocol, env: env(standinDir(protocol)), nofollow: protocol !== "3.9", needs: ["python3"] }),
  );
  return [
    ...standins,
    { version: "3.9 (Debian)", protocol: "3.9", env: { PYTHONDONTWRITEBYTECODE: "1", PYTHONPATH: "" }, nofollow: true, needs: ["python3", "python3-filelock"] },
    { version: "3.29.0", protocol: "3.29", env: env(realFilelockDir("3.29.0")), nofollow: true, needs: ["python3", "filelock-3.29.0"] },
    { version: "4.0.8", protocol: "4", env: env(realFilelockDir("4.0.8")), nofollow: true, needs: ["python3", "filelock-4.0.8"] },
  ];
}
