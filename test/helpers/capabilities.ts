/**
 * What this machine can do for the tests, probed once per process on first
 * use: root, real accounts, mounts, FUSE, strace, a C compiler, Python and
 * its packages, the real filelock versions beside the repository, and the
 * tools of the platform lanes.
 *
 * A test that needs a capability the machine lacks is registered with
 * `skip: "<reason>"` (`test(name, needs([...]), fn)`), so it is reported as
 * skipped with that reason and the run's reporter
 * (test/summary-reporter.mjs) lists it once at the end. Under
 * EXLAB_REQUIRE_ALL=1 (.ci/run sets it) a lacking capability also fails the
 * run: CI proves everything or fails.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test, type TestOptions } from "node:test";
import { fileURLToPath } from "node:url";

/** The repository root (this file is compiled to dist-test/test/helpers/). */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/**
 * The interpreter the Python tests run: Debian's (whose `python3-filelock`
 * and `python3-yaml` are the ones meant), else the first `python3` on PATH.
 */
export const PYTHON = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

/** Everything a test may need that a machine with only Node and npm lacks. */
export type Capability =
  | "root"
  | "accounts"
  | "mount"
  | "fuse"
  | "strace"
  | "cc"
  | "script"
  | "python3"
  | "pyyaml"
  | "python3-filelock"
  | "filelock-3.29.0"
  | "filelock-4.0.8"
  | "wine"
  | "qemu"
  | "cross-binutils"
  | "musl";

/** Where the real filelock versions are expected: `../shared/peers/` beside the repository. */
export function realFilelockDir(version: "3.29.0" | "4.0.8"): string {
  return join(REPO_ROOT, "..", "shared", "peers", `filelock-${version}`);
}

/** undefined when every command runs, else the first that does not. */
function missingTool(...tools: string[]): string | undefined {
  for (const tool of tools) {
    if (spawnSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" }).status !== 0) return `no ${tool} on PATH`;
  }
  return undefined;
}

function fails(cmd: string, args: string[], env?: NodeJS.ProcessEnv): string | undefined {
  const r = spawnSync(cmd, args, { encoding: "utf8", env: { ...process.env, ...env } });
  if (r.error !== undefined) return `${cmd}: ${r.error.message}`;
  if (r.status !== 0) return `${[cmd, ...args].join(" ")}: ${(r.stderr.trim().split("\n").at(-1) ?? "").trim() || `exit ${r.status}`}`;
  return undefined;
}

const isRoot = (): string | undefined => (process.geteuid?.() === 0 ? undefined : "not running as root");

/** How each capability is probed, and the package or step that provides it. */
const PROBES: Record<Capability, { probe: () => string | undefined; fix: string }> = {
  root: { probe: isRoot, fix: "run as root" },
  accounts: { probe: () => isRoot() ?? missingTool("useradd", "groupadd", "userdel", "groupdel", "setpriv"), fix: "root, with passwd and util-linux" },
  mount: {
    probe: () => {
      const refused = isRoot() ?? missingTool("mount", "umount");
      if (refused !== undefined) return refused;
      const dir = mkdtempSync(join(tmpdir(), "exlab-probe-"));
      try {
        return fails("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir]) ?? fails("umount", [dir]);
      } finally {
        // Still mounted only if the unmount failed, which is then the reason given.
        try {
          rmdirSync(dir);
        } catch {
          // left for the machine's temp clean-up
        }
      }
    },
    fix: "root, in a kernel or container that allows mounts",
  },
  fuse: {
    probe: () =>
      isRoot() ??
      (existsSync("/dev/fuse") ? undefined : "no /dev/fuse") ??
      missingTool("bindfs", "fusermount3", "mkfs.exfat", "mount.exfat-fuse", "losetup"),
    fix: "root, /dev/fuse, and bindfs, fuse3, exfat-fuse, exfatprogs",
  },
  strace: { probe: () => missingTool("strace") ?? fails("strace", ["-f", "-qq", "-o", "/dev/null", "true"]), fix: "strace, allowed to trace" },
  cc: { probe: () => missingTool("cc"), fix: "a C compiler (gcc)" },
  script: { probe: () => missingTool("script"), fix: "script(1) from bsdutils" },
  python3: { probe: () => fails(PYTHON, ["-c", "import fcntl, sys; assert sys.version_info >= (3, 7)"]), fix: "python3" },
  pyyaml: { probe: () => fails(PYTHON, ["-c", "import yaml"]), fix: "python3-yaml" },
  "python3-filelock": { probe: () => fails(PYTHON, ["-c", "import filelock"], { PYTHONPATH: "" }), fix: "python3-filelock" },
  "filelock-3.29.0": {
    probe: () => (existsSync(join(realFilelockDir("3.29.0"), "filelock")) ? undefined : `no ${realFilelockDir("3.29.0")}`),
    fix: "the real filelock 3.29.0 in ../shared/peers/ beside the repository",
  },
  "filelock-4.0.8": {
    probe: () => (existsSync(join(realFilelockDir("4.0.8"), "filelock")) ? undefined : `no ${realFilelockDir("4.0.8")}`),
    fix: "the real filelock 4.0.8 in ../shared/peers/ beside the repository",
  },
  wine: { probe: () => missingTool("wine", "wineboot", "wineserver", "x86_64-w64-mingw32-gcc"), fix: "wine, wine64, gcc-mingw-w64-x86-64" },
  qemu: {
    probe: () => missingTool("qemu-aarch64") ?? (existsSync("/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1") ? undefined : "no arm64 loader in /usr/aarch64-linux-gnu"),
    fix: "qemu-user, libc6-arm64-cross",
  },
  musl: {
    probe: () =>
      (process.platform === "linux" && process.arch === "x64" ? undefined : "not an x86-64 Linux machine") ??
      (existsSync("/lib/ld-musl-x86_64.so.1") ? undefined : "no musl loader /lib/ld-musl-x86_64.so.1") ??
      missingTool("musl-gcc", "gcc") ??
      (spawnSync("gcc", ["-print-file-name=libstdc++.a"], { encoding: "utf8" }).stdout.trim().startsWith("/") ? undefined : "no static libstdc++ (libstdc++.a) for gcc"),
    fix: "musl, musl-tools, g++ (its static libstdc++)",
  },
  "cross-binutils": {
    probe: () => missingTool("objdump", "strings", "aarch64-linux-gnu-objdump", "x86_64-w64-mingw32-objdump"),
    fix: "binutils, binutils-aarch64-linux-gnu, binutils-mingw-w64-x86-64",
  },
};

const seen = new Map<Capability, string | undefined>();

/** undefined when the machine has `cap`, else why not. Probed once per process. */
export function lacking(cap: Capability): string | undefined {
  if (!seen.has(cap)) seen.set(cap, PROBES[cap].probe());
  return seen.get(cap);
}

/** Whether EXLAB_REQUIRE_ALL forbids skipping (CI). */
export const REQUIRE_ALL = process.env["EXLAB_REQUIRE_ALL"] === "1";

/**
 * The one line a skipped test carries: every lacking capability, what is
 * missing and what provides it. undefined when nothing lacks.
 */
export function skipReason(caps: readonly Capability[]): string | undefined {
  const missing = caps.flatMap((cap) => {
    const why = lacking(cap);
    // "; " separates capabilities: the summary splits on it.
    return why === undefined ? [] : [`needs ${cap}: ${why.replaceAll(";", ",")} [${PROBES[cap].fix}]`];
  });
  return missing.length === 0 ? undefined : missing.join("; ");
}

const refused = new Set<string>();

/**
 * The options of a test that needs `caps`: none when the machine has them
 * all, else `skip` with the reason. Under EXLAB_REQUIRE_ALL=1 the test is
 * still skipped (running it without what it needs proves nothing), and a
 * failing test naming the reason is registered once per reason instead.
 *
 * @example test("mounts a tmpfs", needs(["mount"]), async (t) => { ... });
 */
export function needs(caps: readonly Capability[]): TestOptions {
  const reason = skipReason(caps);
  if (reason === undefined) return {};
  if (REQUIRE_ALL && !refused.has(reason)) {
    refused.add(reason);
    test(`EXLAB_REQUIRE_ALL=1 allows no skip: ${reason}`, () => {
      throw new Error(`this machine lacks what tests need (${reason}); EXLAB_REQUIRE_ALL=1 allows no skip`);
    });
  }
  return { skip: reason };
}
