/**
 * Loads the native addon on first use: the platform lock backend
 * (native/lock_*.c), the batched replace and read (native/io_*.c) and the
 * write pipeline (native/pipeline_posix.c). A program that only reads cache
 * files never needs it: reads fall back to node:fs.
 *
 * The binary is found by node-gyp-build at import time: a local node-gyp
 * build (build/Release) when there is one, else the prebuilt binary for this
 * platform shipped in prebuilds/ (so installs with scripts disabled work).
 */
import { createRequire } from "node:module";
import { constants } from "node:os";
import { fileURLToPath } from "node:url";
import { getSystemErrorMap } from "node:util";

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

/** The file the addon is (or would be) loaded from. */
export function nativeAddonPath(): string {
  addonPath ??= (require("node-gyp-build") as NodeGypBuild).path(PACKAGE_ROOT);
  return addonPath;
}

/** The loaded backend (loaded once per process). */
export function flockBackend(): FlockBackend {
  backend ??= require(nativeAddonPath()) as FlockBackend;
  return backend;
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
