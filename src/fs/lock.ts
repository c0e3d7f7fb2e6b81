/**
 * The per-file advisory lock (§4.4.5 step 3): an exclusive `flock(2)` on the
 * sidecar `path + ".lock"`, the same lock the Python application takes with
 * the `filelock` package, so writers of both exclude each other.
 *
 * This file is the policy: an in-process FIFO per sidecar, timeouts,
 * cancellation, re-entry detection and the inode re-check. The platform
 * backend (native/lock_posix.c, lock_win32.c) only takes, waits for and releases the lock.
 *
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { constants, fstatSync } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { LockError, LockReentryError, LockTimeoutError, PermissionDeniedError, errnoCode, isPermissionRefusal } from "../errors.js";
import { nodeFileSystem } from "./_fs.js";
import { errnoName, flockBackend, type FlockBackend } from "./_native.js";
import { ensureDir } from "./atomic.js";

/** Options of {@link withFileLock}. */
export interface LockOptions {
  /**
   * How long to wait for the lock, in milliseconds, counted from the call and
   * covering both the wait behind writers in this process and the wait for
   * other processes. `Infinity` waits for ever; `0` tries once.
   * @default 60000
   */
  timeoutMs?: number;
  /** Abandon the wait when this signal aborts (rejects with its reason). */
  signal?: AbortSignal | undefined;
}

/** The default lock timeout: generous, but a hung peer still ends in a clear error. */
export const DEFAULT_LOCK_TIMEOUT_MS = 60_000;

// Opened read-write, created when missing, never truncated (a peer may hold
// it), never through a symlink (a planted link would make us create or lock a
// file elsewhere).
const SIDECAR_FLAGS = constants.O_RDWR | constants.O_CREAT | (constants.O_NOFOLLOW ?? 0);
// A sidecar another account created may not be writable for us: flock works
// on a read-only descriptor, so opening it read-only is enough to take part.
const SIDECAR_READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);
// Created 0666 so the umask and default ACLs decide, as for every file a
// group shares: a 0644 sidecar would lock the rest of the group out.
const SIDECAR_MODE = 0o666;
const CANCEL_RESEND_MS = 2;
const MAX_TIMER_MS = 2 ** 31 - 1;
// Where no thread can wait (Windows, or none to be had): poll tryLock,
// quickly at first for a short hold, backing off so a long one costs little.
const POLL_FIRST_MS = 1;
const IS_WINDOWS = process.platform === "win32";
const POLL_MAX_MS = IS_WINDOWS ? 50 : 10;
// Python's filelock deletes the sidecar after each release on Windows; until
// the last handle on it closes, opening that name is refused (access denied).
// Such a name is gone within moments, so the open is retried for this long.
const DELETE_PENDING_RETRY_MS = 2_000;

/** A LockError for an errno the backend reported, named (ESTALE, not 116) and kept as `os_code`. */
function osLockError(lockPath: string, what: string, errno: number): LockError {
  const name = errnoName(errno);
  return new LockError(lockPath, `${what} (${name})`, { osCode: name });
}

/**
 * The sidecar lock file of `path`: exactly `path + ".lock"`, the name the
 * Python application's `filelock` uses.
 *
 * @example
 * ```ts
 * lockPathFor("/lab/X/.exlab-wizard/equipment.json"); // ".../equipment.json.lock"
 * ```
 */
export function lockPathFor(path: string): string {
  return `${path}.lock`;
}

interface Held {
  readonly key: string;
  /** The locked sidecar descriptor, to recognise the same file under another name. */
  readonly fd: number;
  released: boolean;
}

function sameInode(a: number, b: number): boolean {
  const x = fstatSync(a);
  const y = fstatSync(b);
  return x.dev === y.dev && x.ino === y.ino;
}

/** The locks held by the current async call chain. */
const heldByChain = new AsyncLocalStorage<readonly Held[]>();

/** Tail of each sidecar's in-process queue: resolves when the last writer is done. */
const queueTails = new Map<string, Promise<void>>();

/**
 * Milliseconds until `deadline`, or undefined for no timer: a wait longer
 * than a timer can express (about 24.8 days) is treated as unbounded rather
 * than cut short.
 */
function timerDelay(deadline: number): number | undefined {
  const left = Math.max(0, deadline - performance.now());
  return left > MAX_TIMER_MS ? undefined : left;
}

/** Resolves when `before` does, or rejects at the deadline or on abort. */
function waitTurn(before: Promise<void>, lockPath: string, timeoutMs: number, deadline: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted === true) return Promise.reject(signal.reason);
  return new Promise<void>((resolveTurn, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const cleanup = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    };
    const onAbort = (): void => {
      cleanup();
      reject(signal?.reason);
    };
    const delay = timerDelay(deadline);
    if (delay !== undefined) {
      timer = setTimeout(() => {
        cleanup();
        reject(new LockTimeoutError(lockPath, timeoutMs));
      }, delay);
    }
    signal?.addEventListener("abort", onAbort, { once: true });
    void before.then(() => {
      cleanup();
      resolveTurn();
    });
  });
}

/**
 * Wait on a dedicated thread for the flock on `fd`; cancel on deadline or
 * abort. Polls on timers instead where the backend has no waiter thread
 * (Windows) or none can be started now (a process out of threads).
 */
function waitForFlock(
  nat: FlockBackend,
  fd: number,
  lockPath: string,
  timeoutMs: number,
  deadline: number,
  signal?: AbortSignal,
): Promise<void> {
  if (!nat.canWait) return pollForFlock(nat, fd, lockPath, timeoutMs, deadline, signal);
  // The signal may have fired while the sidecar was being opened.
  if (signal?.aborted === true) return Promise.reject(signal.reason);
  let fallback = false;
  const waiting = new Promise<void>((resolveWait, reject) => {
    let abandon: unknown;
    let timer: NodeJS.Timeout | undefined;
    let resend: NodeJS.Timeout | undefined;
    const handle = nat.waitLock(fd, (errno) => {
      if (timer !== undefined) clearTimeout(timer);
      if (resend !== undefined) clearInterval(resend);
      signal?.removeEventListener("abort", onAbort);
      if (abandon !== undefined) {
        // Granted in the instant after we gave up: hand it straight back.
        if (errno === 0) nat.unlock(fd);
        reject(abandon);
      } else if (errno === 0) {
        resolveWait();
      } else {
        reject(osLockError(lockPath, "flock failed", errno));
      }
    });
    if (typeof handle === "number") {
      // No thread could be started (EAGAIN under a process limit): the
      // callback will never run; poll instead of failing the write.
      fallback = true;
      resolveWait();
      return;
    }
    const cancel = (reason: unknown): void => {
      if (abandon !== undefined) return;
      abandon = reason;
      // A wake-up signal that lands just before the thread enters flock() is
      // lost, so keep nudging until the thread reports back (microseconds).
      if (nat.cancelWait(handle) === 1) resend = setInterval(() => nat.cancelWait(handle), CANCEL_RESEND_MS);
    };
    const onAbort = (): void => cancel(signal?.reason);
    const delay = timerDelay(deadline);
    if (delay !== undefined) timer = setTimeout(() => cancel(new LockTimeoutError(lockPath, timeoutMs)), delay);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
  return waiting.then(() => (fallback ? pollForFlock(nat, fd, lockPath, timeoutMs, deadline, signal) : undefined));
}

/** Where the backend cannot block on a thread (Windows, or no thread to be had): poll with backoff. */
async function pollForFlock(
  nat: FlockBackend,
  fd: number,
  lockPath: string,
  timeoutMs: number,
  deadline: number,
  signal?: AbortSignal,
): Promise<void> {
  for (let pause = POLL_FIRST_MS; ; pause = Math.min(pause * 2, POLL_MAX_MS)) {
    signal?.throwIfAborted();
    const rc = nat.tryLock(fd);
    if (rc === 0) return;
    if (rc !== nat.errno.EWOULDBLOCK) throw osLockError(lockPath, "lock failed", rc);
    const left = deadline - performance.now();
    if (left <= 0) throw new LockTimeoutError(lockPath, timeoutMs);
    await new Promise((r) => setTimeout(r, Math.min(pause, left)));
  }
}

/** Windows: whether `err` may be the refusal to open a delete-pending name. */
function maybeDeletePending(err: unknown): boolean {
  const code = errnoCode(err);
  return IS_WINDOWS && (code === "EPERM" || code === "EACCES");
}

async function openSidecar(lockPath: string, deadline: number): Promise<FileHandle> {
  const retryUntil = Math.min(deadline, performance.now() + DELETE_PENDING_RETRY_MS);
  for (let pause = POLL_FIRST_MS; ; pause = Math.min(pause * 2, POLL_MAX_MS)) {
    try {
      return await openSidecarOnce(lockPath);
    } catch (err) {
      const refused = err instanceof LockError || err instanceof PermissionDeniedError;
      if (!refused || !maybeDeletePending(err.cause) || performance.now() >= retryUntil) throw err;
    }
    await new Promise((r) => setTimeout(r, pause));
  }
}

async function openSidecarOnce(lockPath: string): Promise<FileHandle> {
  try {
    try {
      return await openSidecarFile(lockPath);
    } catch (err) {
      if (errnoCode(err) !== "ENOENT") throw err;
      // First write under a new folder: create it (durably) and try again.
      try {
        await ensureDir(dirname(lockPath), nodeFileSystem, true);
      } catch (mkdirErr) {
        // Name the folder that refused: the parent of the level that could not be made.
        const refusedIn = (mkdirErr as NodeJS.ErrnoException).path;
        if (isPermissionRefusal(mkdirErr)) throw new PermissionDeniedError(refusedIn === undefined ? dirname(lockPath) : dirname(refusedIn), "create_in_folder", mkdirErr);
        throw mkdirErr;
      }
      return await openSidecarFile(lockPath);
    }
  } catch (err) {
    if (err instanceof PermissionDeniedError) throw err;
    const code = errnoCode(err);
    const reason = code === "ELOOP" ? "the sidecar is a symbolic link" : (err as Error).message;
    throw new LockError(lockPath, reason, { cause: err, ...(code === undefined ? {} : { osCode: code }) });
  }
}

/**
 * Open the sidecar read-write (creating it), or read-only when it exists but
 * this account may not write it. A refusal of both is a permission error:
 * creating it (the folder refuses) or opening it (the file refuses).
 */
async function openSidecarFile(lockPath: string): Promise<FileHandle> {
  try {
    return await open(lockPath, SIDECAR_FLAGS, SIDECAR_MODE);
  } catch (err) {
    if (!isPermissionRefusal(err)) throw err;
    try {
      return await open(lockPath, SIDECAR_READ_FLAGS);
    } catch (readErr) {
      // ENOENT: the sidecar is missing and the folder refused to create it.
      if (errnoCode(readErr) === "ENOENT") throw new PermissionDeniedError(dirname(lockPath), "create_in_folder", err);
      if (isPermissionRefusal(readErr)) throw new PermissionDeniedError(lockPath, "open_sidecar", readErr);
      throw readErr;
    }
  }
}

/**
 * Take the cross-process lock: open the sidecar, flock it (waiting on a
 * dedicated thread if contended), then check that the inode we locked is
 * still the one at the path. If a peer deleted or replaced the sidecar
 * meanwhile, our lock excludes nobody: drop it and start over.
 */
async function acquireFlock(
  lockPath: string,
  chain: readonly Held[],
  timeoutMs: number,
  deadline: number,
  signal?: AbortSignal,
): Promise<FileHandle> {
  let nat: FlockBackend;
  try {
    nat = flockBackend();
  } catch (err) {
    throw new LockError(lockPath, `the native lock backend could not be loaded (${(err as Error).message}); reinstall the package so it is built`, { cause: err });
  }
  for (;;) {
    const fh = await openSidecar(lockPath, deadline);
    try {
      // The same sidecar reached by another spelling of its path (a symlinked
      // folder, a hard link) would wait on ourselves for ever: fail fast.
      // fstat of open descriptors does not block; only nested calls pay it.
      if (chain.some((h) => !h.released && sameInode(h.fd, fh.fd))) throw new LockReentryError(lockPath);
      let rc = nat.tryLock(fh.fd);
      if (rc === nat.errno.EWOULDBLOCK) {
        if (timeoutMs === 0) throw new LockTimeoutError(lockPath, timeoutMs);
        await waitForFlock(nat, fh.fd, lockPath, timeoutMs, deadline, signal);
        rc = 0;
      }
      if (rc !== 0) throw osLockError(lockPath, "flock failed", rc);
      const same = nat.sameFile(fh.fd, lockPath);
      if (same === 0) return fh;
      nat.unlock(fh.fd);
      if (same !== nat.errno.ESTALE && same !== nat.errno.ENOENT) {
        if (same === nat.errno.EINVAL) throw new LockError(lockPath, "the sidecar is not a regular file");
        throw osLockError(lockPath, "cannot check the sidecar", same);
      }
    } catch (err) {
      await fh.close().catch(() => undefined);
      throw err;
    }
    await fh.close();
    if (performance.now() >= deadline) throw new LockTimeoutError(lockPath, timeoutMs);
  }
}

/**
 * Run `fn` while holding the exclusive lock of `path` (on `path + ".lock"`),
 * and release it afterwards, also when `fn` throws. The sidecar is never
 * deleted: deleting it would let a late waiter lock the old inode while a
 * newcomer locks a new one.
 *
 * Callers in one process queue in call order; processes exclude each other
 * through `flock(2)`, which the kernel releases if the holder dies. Waiting
 * blocks neither the event loop nor libuv's thread pool.
 *
 * @returns what `fn` returns.
 * @throws {@link LockTimeoutError} when the lock is not had within `timeoutMs`.
 * @throws {@link LockReentryError} at once when this call chain already holds the lock of `path`.
 * @throws {@link PermissionDeniedError} (`permission_denied`) when this account may
 *   neither create the sidecar nor open it (read-write, then read-only).
 * @throws {@link LockError} when the sidecar cannot be opened or locked otherwise.
 * @throws the signal's reason when `options.signal` aborts while waiting.
 * @example
 * ```ts
 * const next = await withFileLock(counterPath, async () => {
 *   const n = Number(await readFile(counterPath, "utf8")) + 1;
 *   await atomicWriteFile(counterPath, String(n));
 *   return n;
 * });
 * ```
 */
export async function withFileLock<T>(path: string, fn: () => T | Promise<T>, options: LockOptions = {}): Promise<T> {
  const lockPath = lockPathFor(path);
  const key = resolve(lockPath);
  const chain = heldByChain.getStore() ?? [];
  if (chain.some((h) => h.key === key && !h.released)) throw new LockReentryError(lockPath);
  const { signal } = options;
  signal?.throwIfAborted();
  const timeoutMs = options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  if (!(timeoutMs >= 0)) throw new RangeError(`Expected \`timeoutMs\` to be a number >= 0, got \`${String(timeoutMs)}\``);
  const deadline = performance.now() + timeoutMs;

  // Join the in-process queue. If we give up while queued, our slot still
  // opens only after our predecessor's, so order is kept for those behind us.
  const before = queueTails.get(key);
  let done!: () => void;
  const mine = new Promise<void>((r) => (done = r));
  queueTails.set(key, mine);
  const leave = (): void => {
    if (queueTails.get(key) === mine) queueTails.delete(key);
    done();
  };

  let fh: FileHandle;
  try {
    if (before !== undefined) await waitTurn(before, lockPath, timeoutMs, deadline, signal);
    fh = await acquireFlock(lockPath, chain, timeoutMs, deadline, signal);
  } catch (err) {
    if (before === undefined) leave();
    else void before.then(leave);
    throw err;
  }
  const held: Held = { key, fd: fh.fd, released: false };
  try {
    return await heldByChain.run([...chain, held], fn);
  } finally {
    held.released = true;
    flockBackend().unlock(fh.fd);
    await fh.close().catch(() => undefined);
    leave();
  }
}
