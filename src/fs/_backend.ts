/**
 * The storage backend: the few steps a locked write, an unlocked replace and
 * a bounded read are made of. Two implementations run the same steps in the
 * same order: one in native code, a thread-pool job per step
 * (_backend-native.ts), and one over a {@link FileSystem}, a call at a time
 * (_backend-node.ts). The policy around them (queueing, timeouts,
 * cancellation, re-entry, retries) is written once, in lock.ts, atomic.ts,
 * read.ts and the writer, so an injected FileSystem drives the very pipeline
 * production runs.
 *
 * A locked write is two steps with a decision between them:
 *   1. lock-and-read: open the sidecar, take the lock (without waiting; when
 *      contended, a waiter does it and goes on by itself), check the locked
 *      inode, sweep stale temp files, look at the current file;
 *   2. commit-and-unlock (write the temp file, fsync, rename, fsync the
 *      folder, unlock, close), or release when nothing is to be written.
 */
import { fstatSync } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import type { FileTooLargeError, NotRegularFileError } from "../errors.js";
import { nativeBackend } from "./_backend-native.js";
import { nodeBackend } from "./_backend-node.js";
import { nodeFileSystem, type FileSystem } from "./_fs.js";
import { ioBackend, pipelineBackend, systemError } from "./_native.js";
import type { FileStat } from "./_recipe.js";

/** What lock-and-read looks at once the lock is held. */
export type Look = "none" | "read" | "exists";

/** One lock-and-read. */
export interface LockRequest {
  readonly path: string;
  /** `path + ".lock"`. */
  readonly lockPath: string;
  readonly look: Look;
  /** The read's bound (look "read"). */
  readonly maxBytes: number;
  /** Remove `<name>.<random>.tmp` siblings of `path` first. */
  readonly sweep: boolean;
  /** When the caller gives up (`performance.now()` time): bounds retries inside a step. */
  readonly deadline: number;
  /** Told of each stale temp file removed (its full path), also when a later step fails. */
  readonly onSwept?: ((path: string) => void) | undefined;
}

export type { FileStat } from "./_recipe.js";

/** The current file, as lock-and-read found it. */
export type Current =
  | { readonly kind: "none" }
  | { readonly kind: "absent" }
  /** look "read": its bytes, and its stat from the same descriptor. */
  | { readonly kind: "file"; readonly bytes: Buffer; readonly stat: FileStat }
  /** look "exists": a regular file is there. */
  | { readonly kind: "present" }
  | { readonly kind: "too-large"; readonly error: FileTooLargeError; readonly stat: FileStat }
  | { readonly kind: "not-regular"; readonly error: NotRegularFileError };

/** An open sidecar; `fh` only in the node:fs backend. */
export interface Sidecar {
  readonly fd: number;
  readonly fh?: FileHandle;
}

/** One try at lock-and-read. */
export type Attempt =
  /** The lock is held on `sidecar`. */
  | { readonly state: "locked"; readonly sidecar: Sidecar; readonly current: Current }
  /** Someone holds the lock; `sidecar` is open and not locked. */
  | { readonly state: "contended"; readonly sidecar: Sidecar }
  /** The sidecar was replaced or removed while we locked it; it is closed: start again. */
  | { readonly state: "stale" };

/** A wait in progress. */
export interface Waiter {
  /** Ask the wait to stop; true while it may still be blocked (ask again). */
  cancel(): boolean;
}

/** The storage steps; see the module comment. */
export interface Backend {
  /**
   * Open the sidecar and try the lock once, without waiting; when granted,
   * check the inode, sweep and look, in the same step.
   * @throws {@link LockError} when the sidecar cannot be opened or locked;
   *   an OS error (or {@link WriteFailedError} for a stale temp file) from the
   *   work under the lock, which is then released.
   */
  tryLockAndRead(req: LockRequest): Promise<Attempt>;
  /**
   * After a contended attempt: wait for the lock on `sidecar`, then do the
   * same work. `done` runs once: with an error (the sidecar is then closed),
   * or with a locked or stale attempt.
   */
  waitAndRead(sidecar: Sidecar, req: LockRequest, done: (err: unknown, attempt?: Attempt) => void): Waiter;
  /**
   * Replace `path` with `bytes` by the recipe, the temp file given the
   * owner, group and mode of `keep` (the stat lock-and-read took of the file
   * replaced; undefined for a new file, made with `mode`), then unlock and
   * close the sidecar, whether the replace succeeded or not.
   * @throws {@link PermissionDeniedError} or {@link WriteFailedError} naming `path` and the failed step.
   */
  commit(sidecar: Sidecar, path: string, bytes: Uint8Array, mode: number, durable: boolean, keep: FileStat | undefined): Promise<void>;
  /** Unlock (if locked) and close the sidecar; never throws. */
  release(sidecar: Sidecar): Promise<void>;
  /** The replace recipe without a lock (atomicWriteFile); keeps what a regular file at `path` has. */
  replace(path: string, bytes: Uint8Array, mode: number, durable: boolean): Promise<void>;
  /** The bounded snapshot read (readCacheFile). */
  read(path: string, maxBytes: number): Promise<Buffer>;
}

let defaultOne: Backend | undefined;
const overFs = new WeakMap<FileSystem, Backend>();

/**
 * The backend for an `fs` option: over that FileSystem when one is given
 * (but for the sidecar's open on Windows, which stays the addon's);
 * otherwise the native one where the addon provides it (Linux, macOS), else
 * over Node's own fs (Windows, with the addon's replace; or no addon: reads
 * still work).
 */
export function backendFor(fs: FileSystem | undefined): Backend {
  if (fs === undefined) {
    if (defaultOne === undefined) {
      const nat = pipelineBackend();
      // Windows: node:fs for the read, the addon's sidecar open (not sharing
      // deletion) and one-job replace (MoveFileExW, retried while a reader
      // holds the target) where it has them.
      defaultOne = nat !== undefined ? nativeBackend(nat) : nodeBackend(nodeFileSystem, ioBackend());
    }
    return defaultOne;
  }
  // The sidecar is still opened by the addon where it opens it (Windows): an
  // open through `fs` shares deletion, which would let filelock's release
  // delete the sidecar under our lock (native/io_win32.c). Its open belongs
  // to the lock, which stays native whatever `fs` is.
  let backend = overFs.get(fs);
  if (backend === undefined) overFs.set(fs, (backend = nodeBackend(fs, undefined, ioBackend()?.openSidecar)));
  return backend;
}

/**
 * Whether two open sidecar descriptors are one file (the same sidecar
 * reached by two spellings of its path). Asked of the addon where it opens
 * descriptors itself: node:fs need not know those (Deno's fstat fails with
 * EBADF), while the addon's fstat takes any descriptor, node:fs's included.
 * @throws the OS error of fstat.
 */
export function sameOpenFile(a: number, b: number): boolean {
  const nat = pipelineBackend();
  if (nat === undefined) {
    const x = fstatSync(a);
    const y = fstatSync(b);
    return x.dev === y.dev && x.ino === y.ino;
  }
  const rc = nat.sameInode(a, b);
  if (rc === 0 || rc === nat.errno.ESTALE) return rc === 0;
  throw systemError(rc, "fstat", `descriptor ${a} or ${b}`);
}
