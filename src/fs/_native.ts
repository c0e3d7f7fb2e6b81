/**
 * Loads the native addon on first use: the platform lock backend
 * (native/lock_*.c), the batched replace and read (native/io_*.c) and the
 * write pipeline (native/pipeline_posix.c). A program that only reads cache
 * files never needs it: reads fall back to node:fs.
 *
 * The binary is found by node-gyp-build on first use: a local node-gyp
 * build (build/Release) when there is one, else the prebuilt binary for this
 * platform shipped in prebuilds/ (so installs with scripts disabled work).
 * node-gyp-build tells musl from glibc only by `LIBC` or /etc/alpine-release;
 * the runtime's own C library, where it can be told, picks between the two
 * Linux prebuilds instead, and `LIBC` still overrides it.
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants as fsConstants, existsSync, readFileSync, readdirSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { constants } from "node:os";
import { basename, delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { getSystemErrorMap } from "node:util";
import { diagnoseBinary, forLibc, libcFromMaps, libcFromReport, type BinaryDiagnosis, type BinaryFacts, type Libc, type PackageManager } from "./_binary.js";

/** The addon's surface; see native/exlab.h for each call's contract. */
export interface FlockBackend {
  tryLock(fd: number): number;
  unlock(fd: number): number;
  sameFile(fd: number, path: string): number;
  /** A wait handle, or an errno when no waiter could be started (then `done` never runs). */
  waitLock(fd: number, done: (errno: number) => void): object | number;
  cancelWait(handle: object): number;
  readonly canWait: boolean;
  /**
   * How a contended wait waits: `"signal"` (a thread blocked in the lock,
   * woken by a real-time signal to cancel), `"poll-thread"` (a thread retrying
   * with backoff, woken through a condition variable; macOS, or no free
   * real-time signal) or `"poll"` (timers on the event loop; Windows).
   */
  readonly waitMethod: "signal" | "poll-thread" | "poll";
  readonly errno: {
    readonly EWOULDBLOCK: number;
    readonly ECANCELED: number;
    readonly ESTALE: number;
    readonly ENOENT: number;
    readonly EINVAL: number;
  };
}

let backend: FlockBackend | undefined;
let addonPath: string | undefined;

const require = createRequire(import.meta.url);
/** The package root (this file is dist/fs/_native.js). */
const PACKAGE_ROOT = fileURLToPath(new URL("../..", import.meta.url));

interface NodeGypBuild {
  path(dir: string): string;
}

/** The running runtime's name: `node`, `bun` or `deno`. */
function runtimeName(): string {
  const versions = process.versions as Record<string, string | undefined>;
  return versions["bun"] !== undefined ? "bun" : versions["deno"] !== undefined ? "deno" : "node";
}

let libcSeen: Libc | null | undefined;

/**
 * The C library this process runs on (Linux only): what its memory map
 * shows, else what its diagnostic report says; null when neither tells.
 */
export function runtimeLibc(): Libc | null {
  if (libcSeen !== undefined) return libcSeen;
  libcSeen = null;
  if (process.platform !== "linux") return libcSeen;
  try {
    libcSeen = libcFromMaps(readFileSync("/proc/self/maps", "latin1"));
  } catch {
    // no /proc (or no permission to read it): the report below
  }
  if (libcSeen === null && typeof process.report?.getReport === "function") {
    try {
      const report = process.report.getReport() as { header?: Record<string, unknown> };
      libcSeen = libcFromReport(report.header, runtimeName());
    } catch {
      // no report either: node-gyp-build's own choice stands
    }
  }
  return libcSeen;
}

/** The file the addon is (or would be) loaded from. */
export function nativeAddonPath(): string {
  if (addonPath === undefined) {
    const picked = (require("node-gyp-build") as NodeGypBuild).path(PACKAGE_ROOT);
    // LIBC is the override: node-gyp-build has already honoured it.
    addonPath = process.env["LIBC"] ? picked : forLibc(picked, runtimeLibc(), existsSync);
  }
  return addonPath;
}

/** The loaded backend (loaded once per process). */
export function flockBackend(): FlockBackend {
  backend ??= require(nativeAddonPath()) as FlockBackend;
  return backend;
}

/** The first of `names` found as an executable on PATH, or undefined. */
function onPath(names: readonly string[]): string | undefined {
  for (const dir of (process.env["PATH"] ?? "").split(delimiter)) {
    for (const name of names) {
      try {
        accessSync(join(dir, name), fsConstants.X_OK);
        return join(dir, name);
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/** The build tools `node-gyp rebuild` needs that this machine lacks; null on Windows, where they are not on PATH. */
function missingTools(): string[] | null {
  if (process.platform === "win32") return null;
  if (process.platform === "darwin") {
    // /usr/bin/cc exists even without the tools (a stub that offers to install them).
    return spawnSync("xcode-select", ["-p"], { stdio: "ignore" }).status === 0 ? [] : ["the Xcode command line tools"];
  }
  const missing: string[] = [];
  if (onPath(["python3", "python"]) === undefined) missing.push("python3");
  if (onPath(["make", "gmake"]) === undefined) missing.push("make");
  if (onPath(["cc", "gcc", "clang"]) === undefined) missing.push("a C compiler");
  return missing;
}

/** The package manager that installed this package: its store's layout, the project's lockfile, else the one running us. */
function packageManager(root: string): PackageManager | null {
  let real = root;
  try {
    real = realpathSync(root);
  } catch {
    // keep the path as given
  }
  if (/[\\/]node_modules[\\/]\.pnpm[\\/]/.test(real)) return "pnpm";
  if (/[\\/]node_modules[\\/]\.bun[\\/]/.test(real)) return "bun";
  const locks: [string, PackageManager][] = [
    ["pnpm-lock.yaml", "pnpm"],
    ["bun.lock", "bun"],
    ["bun.lockb", "bun"],
    ["yarn.lock", "yarn"],
    ["package-lock.json", "npm"],
  ];
  let found: PackageManager | null = null;
  for (let dir = real; dirname(dir) !== dir; dir = dirname(dir)) {
    if (basename(dir) !== "node_modules") continue;
    // The outermost node_modules is the project's.
    const project = dirname(dir);
    const lock = locks.find(([file]) => existsSync(join(project, file)));
    if (lock !== undefined) found = lock[1];
  }
  const agent = /^(npm|pnpm|yarn|bun)\//.exec(process.env["npm_config_user_agent"] ?? "");
  return found ?? (agent === null ? null : (agent[1] as PackageManager));
}

/** Everything known about why the addon does not load here. */
export function binaryFacts(): BinaryFacts {
  const override = process.env["EXLAB_CACHE_PREBUILD"];
  const root = override !== undefined && override !== "" ? override : PACKAGE_ROOT;
  let picked: string | null = null;
  try {
    picked = nativeAddonPath();
  } catch {
    // none found: picked stays null
  }
  const list = (dir: string): string[] => {
    try {
      return readdirSync(dir).filter((f) => f.endsWith(".node"));
    } catch {
      return [];
    }
  };
  const built = existsSync(join(root, "build")) ? (list(join(root, "build", "Release")).length > 0 ? "built" : "failed") : "none";
  const ignore = process.env["npm_config_ignore_scripts"];
  return {
    platform: process.platform,
    arch: process.arch,
    libc: runtimeLibc(),
    libcOverride: process.env["LIBC"] || null,
    picked,
    prebuilds: list(join(root, "prebuilds", `${process.platform}-${process.arch}`)),
    localBuild: built,
    scriptsIgnored: ignore !== undefined && ignore !== "" && ignore !== "false",
    packageManager: packageManager(PACKAGE_ROOT),
    missingTools: missingTools(),
  };
}

/** Why the addon does not load here, and the one fix. */
export function binaryDiagnosis(): BinaryDiagnosis {
  return diagnoseBinary(binaryFacts());
}

/** What a batched job reports; see native/io_posix.c for each field. */
export interface IoResult {
  /** 0 on success, else the OS errno of the failed step. */
  readonly errno: number;
  /** The failed step (`open`, `write`, `fsync`, `close`, `rename`, `fsync-dir`, `fstat`, `read`). */
  readonly step: string;
  /** readFile: 0 regular file, 1 directory, 2 other non-regular, 3 too large. */
  readonly kind: number;
  /** readFile, kind 3: the size seen. */
  readonly size: number;
  /** readFile, kind 0: the bytes. */
  readonly data?: Buffer;
  /** readFile, once fstat was taken: the file's st_mode, st_uid, st_gid. */
  readonly mode?: number;
  readonly uid?: number;
  readonly gid?: number;
}

/** The batched I/O of native/io_posix.c; native/io_win32.c has the replace and the sidecar's open. */
export interface IoBackend {
  /** Replace `path` via `tmp` in one job; keeps the replaced file's owner, group and mode (see native/io_posix.c). */
  replaceFile(tmp: string, path: string, dir: string, bytes: Uint8Array, mode: number, durable: boolean): Promise<IoResult>;
  readFile?: (path: string, maxBytes: number) => Promise<IoResult>;
  /**
   * Windows: open (`writable`: or create) the sidecar without sharing
   * deletion, so a peer's release cannot delete it while it is open here
   * (see native/io_win32.c). A descriptor node:fs knows, or a negated errno.
   */
  openSidecar?: (path: string, writable: boolean) => Promise<number>;
}

let io: IoBackend | null | undefined;

/**
 * The batched I/O when the addon is built and provides it, else undefined
 * (the callers then use node:fs, which does the same steps one call each).
 */
export function ioBackend(): IoBackend | undefined {
  if (io === undefined) {
    try {
      const nat = flockBackend() as Partial<IoBackend>;
      io = typeof nat.replaceFile === "function" ? (nat as IoBackend) : null;
    } catch {
      io = null;
    }
  }
  return io ?? undefined;
}

/** What one lock-and-read reports; see native/pipeline_posix.c for each field. */
export interface AttemptResult extends IoResult {
  /** 0 locked, 1 contended, 2 stale, 3 failed. */
  readonly state: number;
  /** The sidecar descriptor while it is open, else -1. */
  readonly fd: number;
  /** Temp file names removed by the sweep. */
  readonly swept: readonly string[];
  /** The temp file name whose removal failed (step `unlink`). */
  readonly failed?: string;
}

/** What a commit reports. */
export interface CommitResult extends IoResult {
  /** 1 when the temp name was taken: nothing was done and the lock is still held. */
  readonly retry: number;
}

/** The write pipeline of native/pipeline_posix.c, with native/fd_posix.c (both absent on Windows). */
export interface PipelineBackend extends FlockBackend, IoBackend {
  /**
   * Close a descriptor the addon opened: 0, else an errno. node:fs may not
   * know such a descriptor (Deno's does not), so it never closes one.
   */
  closeFd(fd: number): number;
  /** 0 when two open descriptors are one inode, ESTALE when not, else the errno of fstat. */
  sameInode(a: number, b: number): number;
  readFile(path: string, maxBytes: number): Promise<IoResult>;
  lockAndRead(lockPath: string, path: string, dir: string, look: number, maxBytes: number, sweep: boolean): Promise<AttemptResult>;
  /** A wait handle, or an errno when no waiter could be started (then `done` never runs). */
  waitAndRead(fd: number, lockPath: string, path: string, dir: string, look: number, maxBytes: number, sweep: boolean, done: (r: AttemptResult) => void): object | number;
  commit(
    fd: number,
    tmp: string,
    path: string,
    dir: string,
    bytes: Uint8Array,
    mode: number,
    durable: boolean,
    keepMode: number,
    keepUid: number,
    keepGid: number,
  ): Promise<CommitResult>;
}

let pipeline: PipelineBackend | null | undefined;

/** The native write pipeline when the addon is built and provides it, else undefined. */
export function pipelineBackend(): PipelineBackend | undefined {
  if (pipeline === undefined) {
    const nat = ioBackend() as Partial<PipelineBackend> | undefined;
    pipeline =
      nat !== undefined &&
      typeof nat.readFile === "function" &&
      typeof nat.lockAndRead === "function" &&
      typeof nat.waitAndRead === "function" &&
      typeof nat.commit === "function" &&
      typeof nat.closeFd === "function" &&
      typeof nat.sameInode === "function"
        ? (nat as PipelineBackend)
        : null;
  }
  return pipeline ?? undefined;
}

let errnoNames: Map<number, string> | undefined;

/**
 * The symbolic name of a (positive) errno: libuv's name when it has one,
 * else the OS's own (`os.constants.errno` knows codes libuv lacks, such as
 * ESTALE or EPROTO on some systems), else `E<number>` for a number neither knows.
 */
export function errnoName(errno: number): string {
  const known = getSystemErrorMap().get(-errno);
  if (known !== undefined) return known[0];
  if (errnoNames === undefined) {
    errnoNames = new Map();
    for (const [name, value] of Object.entries(constants.errno)) if (!errnoNames.has(value)) errnoNames.set(value, name);
  }
  return errnoNames.get(errno) ?? `E${errno}`;
}

/** A Node-style system error (`code`, `errno`, `syscall`, `path`) for an errno the addon reported. */
export function systemError(errno: number, syscall: string, path: string): NodeJS.ErrnoException {
  const known = getSystemErrorMap().get(-errno);
  const code = known?.[0] ?? errnoName(errno);
  const description = known?.[1] ?? `system error ${errno}`;
  const err: NodeJS.ErrnoException = new Error(`${code}: ${description}, ${syscall} '${path}'`);
  err.errno = -errno;
  err.code = code;
  err.syscall = syscall;
  err.path = path;
  return err;
}
