/**
 * The per-file advisory lock (§4.4.5 step 3): an exclusive `flock(2)` on the
 * sidecar `path + ".lock"`, the same lock the Python application takes with
 * the `filelock` package, so writers of both exclude each other.
 *
 * This file is the policy: an in-process FIFO per sidecar, timeouts,
 * cancellation, re-entry detection and starting over when the locked inode
 * is no longer the sidecar. The backend (_backend.ts) takes the lock
 * together with the read that follows it, and releases it together with the
 * write.
 *
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { resolve } from "node:path";
import { LockReentryError, LockTimeoutError } from "../errors.js";
import { backendFor, sameOpenFile, type Attempt, type Backend, type Current, type FileStat, type LockRequest, type Sidecar, type Waiter } from "./_backend.js";
import type { FileSystem } from "./_fs.js";
import { requirePath } from "./_path.js";

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

const CANCEL_RESEND_MS = 2;
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The sidecar lock file of `path`: exactly `path + ".lock"`, the name the
 * Python application's `filelock` uses.
 *
 * @throws {@link ValidationError} (field `path`) for an empty path, a non-string or a NUL byte.
 * @example
 * ```ts
 * lockPathFor("/lab/X/.exlab-wizard/equipment.json"); // ".../equipment.json.lock"
 * ```
 */
export function lockPathFor(path: string): string {
  requirePath(path);
  return `${path}.lock`;
}

interface Held {
  readonly key: string;
  /** The locked sidecar descriptor, to recognise the same file under another name. */
  readonly fd: number;
  released: boolean;
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
 * Wait (on the backend's waiter) for the lock on a contended sidecar, and
 * call the wait off at the deadline or on abort. A grant that lands in the
 * instant after we gave up is handed straight back.
 */
function waitForGrant(
  backend: Backend,
  sidecar: Sidecar,
  req: LockRequest,
  timeoutMs: number,
  deadline: number,
  signal?: AbortSignal,
): Promise<Attempt> {
  return new Promise<Attempt>((resolveWait, reject) => {
    let abandon: unknown;
    let timer: NodeJS.Timeout | undefined;
    let resend: NodeJS.Timeout | undefined;
    let waiter: Waiter;
    try {
      waiter = backend.waitAndRead(sidecar, req, (err, attempt) => {
        if (timer !== undefined) clearTimeout(timer);
        if (resend !== undefined) clearInterval(resend);
        signal?.removeEventListener("abort", onAbort);
        if (abandon !== undefined) {
          if (attempt?.state === "locked") void backend.release(attempt.sidecar);
          reject(abandon);
        } else if (attempt !== undefined) {
          resolveWait(attempt);
        } else {
          reject(err);
        }
      });
    } catch (err) {
      // No waiter took the sidecar: it is still ours to close.
      void backend.release(sidecar).then(() => reject(err));
      return;
    }
    const cancel = (reason: unknown): void => {
      if (abandon !== undefined) return;
      abandon = reason;
      // A signal that lands just before the thread enters flock() is lost, so
      // keep nudging until the waiter reports back (within microseconds).
      if (waiter.cancel()) resend = setInterval(() => waiter.cancel(), CANCEL_RESEND_MS);
    };
    const onAbort = (): void => cancel(signal?.reason);
    const delay = timerDelay(deadline);
    if (delay !== undefined) timer = setTimeout(() => cancel(new LockTimeoutError(req.lockPath, timeoutMs)), delay);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Take the cross-process lock and do the backend's work under it: try
 * without waiting; when contended, wait on a waiter that does the work
 * itself once granted. If a peer deleted or replaced the sidecar meanwhile,
 * our lock excludes nobody: start over.
 */
async function acquire(
  backend: Backend,
  req: LockRequest,
  chain: readonly Held[],
  timeoutMs: number,
  deadline: number,
  signal?: AbortSignal,
): Promise<Extract<Attempt, { state: "locked" }>> {
  for (;;) {
    let attempt = await backend.tryLockAndRead(req);
    if (attempt.state === "contended") {
      const { sidecar } = attempt;
      try {
        // The same sidecar reached by another spelling of its path (a
        // symlinked folder, a hard link) is held by this very call chain:
        // waiting would be for ever. Only a contended lock can be ours.
        if (chain.some((h) => !h.released && sameOpenFile(h.fd, sidecar.fd))) throw new LockReentryError(req.lockPath);
        if (timeoutMs === 0) throw new LockTimeoutError(req.lockPath, timeoutMs);
        // The signal may have fired while the sidecar was being opened.
        signal?.throwIfAborted();
      } catch (err) {
        await backend.release(sidecar);
        throw err;
      }
      attempt = await waitForGrant(backend, sidecar, req, timeoutMs, deadline, signal);
    }
    if (attempt.state === "locked") return attempt;
    if (performance.now() >= deadline) throw new LockTimeoutError(req.lockPath, timeoutMs);
  }
}

/** The stat a rewrite keeps: the one lock-and-read took of the regular file it found. */
function statOf(current: Current): FileStat | undefined {
  return current.kind === "file" || current.kind === "too-large" ? current.stat : undefined;
}

/** What {@link lockAndRead} looks at, and how. */
export interface LookOptions extends LockOptions {
  /** What to look at once locked. @default "none" */
  look?: LockRequest["look"];
  /** The read's bound (look "read"). @default 0 */
  maxBytes?: number;
  /** Remove stale temp files of the path first. @default false */
  sweep?: boolean;
  /** Told of each stale temp file removed. */
  onSwept?: ((path: string) => void) | undefined;
  /** The FileSystem the backend runs over. @default the native backend */
  fs?: FileSystem | undefined;
}

/** A lock held by {@link lockAndRead}: what was found, and the two ways out. */
export interface LockedFile {
  /** The current file as found under the lock. */
  readonly current: Current;
  /** The locked sidecar's descriptor. */
  readonly fd: number;
  /**
   * Replace the file with `bytes` (temp file, fsync, rename, fsync the
   * folder), then release the lock, whether the replace worked or not. A
   * file found under the lock keeps its mode, owner and group; a new one is
   * made with `mode` (before the umask).
   * @throws {@link PermissionDeniedError} or {@link WriteFailedError} naming the path and the failed step.
   */
  commit(bytes: Uint8Array, mode: number, durable: boolean): Promise<void>;
  /** Release the lock without writing. Does nothing once released or committed. */
  release(): Promise<void>;
  /**
   * Run `fn` as a holder of this lock: until the lock is committed or
   * released, a lock of the same file asked for from `fn`'s call chain (a
   * callback that writes its own file) fails at once with
   * {@link LockReentryError} instead of waiting for ever.
   */
  hold<T>(fn: () => T | Promise<T>): Promise<T>;
}

/**
 * The first step of a locked write: queue behind this process's writers of
 * `path`, take the cross-process lock, and, in the same step, sweep stale
 * temp files and look at the current file. The caller decides, then calls
 * `commit` or `release` exactly once (a second call does nothing).
 *
 * @throws as {@link withFileLock} does before running its function; also the
 *   OS error of the sweep or the look (the lock is then released).
 * @example
 * ```ts
 * const locked = await lockAndRead(path, { look: "read", maxBytes: 1 << 20 });
 * if (locked.current.kind === "absent") await locked.commit(Buffer.from("{}"), 0o644, true);
 * else await locked.release();
 * ```
 */
export async function lockAndRead(path: string, options: LookOptions = {}): Promise<LockedFile> {
  requirePath(path);
  const lockPath = lockPathFor(path);
  const key = resolve(lockPath);
  const chain = heldByChain.getStore() ?? [];
  if (chain.some((h) => h.key === key && !h.released)) throw new LockReentryError(lockPath);
  const { signal } = options;
  signal?.throwIfAborted();
  const timeoutMs = options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  if (!(timeoutMs >= 0)) throw new RangeError(`Expected \`timeoutMs\` to be a number >= 0, got \`${String(timeoutMs)}\``);
  const deadline = performance.now() + timeoutMs;
  const backend = backendFor(options.fs);
  const req: LockRequest = {
    path,
    lockPath,
    look: options.look ?? "none",
    maxBytes: options.maxBytes ?? 0,
    sweep: options.sweep ?? false,
    deadline,
    onSwept: options.onSwept,
  };

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

  let granted: Extract<Attempt, { state: "locked" }>;
  try {
    if (before !== undefined) await waitTurn(before, lockPath, timeoutMs, deadline, signal);
    granted = await acquire(backend, req, chain, timeoutMs, deadline, signal);
  } catch (err) {
    if (before === undefined) leave();
    else void before.then(leave);
    throw err;
  }
  const { sidecar } = granted;
  const held: Held = { key, fd: sidecar.fd, released: false };
  let open = true;
  const finish = async (step: () => Promise<void>): Promise<void> => {
    if (!open) return;
    open = false;
    held.released = true;
    try {
      await step();
    } finally {
      leave();
    }
  };
  return {
    current: granted.current,
    fd: sidecar.fd,
    commit: (bytes, mode, durable) => finish(() => backend.commit(sidecar, path, bytes, mode, durable, statOf(granted.current))),
    release: () => finish(() => backend.release(sidecar)),
    hold: async (fn) => heldByChain.run([...chain, held], fn),
  };
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
 * @throws {@link ValidationError} (field `path`) for an empty path, a non-string or a NUL byte; nothing is touched.
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
  requirePath(path);
  const locked = await lockAndRead(path, { timeoutMs: options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS, signal: options.signal });
  try {
    return await locked.hold(fn);
  } finally {
    await locked.release();
  }
}
