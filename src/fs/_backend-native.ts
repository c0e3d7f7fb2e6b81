/**
 * The native backend: each step is one job of native/pipeline_posix.c or
 * native/io_posix.c, so a locked write crosses between JavaScript and C twice
 * (lock-and-read, commit-and-unlock) instead of once per system call, and the
 * lock is released by the same job that made the write durable.
 */
import { dirname, join } from "node:path";
import { FileTooLargeError, NotRegularFileError, PermissionDeniedError } from "../errors.js";
import type { Attempt, Backend, Current, LockRequest, Sidecar, Waiter } from "./_backend.js";
import { nodeFileSystem } from "./_fs.js";
import { systemError, type AttemptResult, type IoBackend, type IoResult, type PipelineBackend } from "./_native.js";
import { asLongJob } from "./_pool.js";
import {
  TEMP_ATTEMPTS,
  ensureDir,
  ensureDirOrRefuse,
  osLockError,
  pollPauses,
  readWith,
  sameFileError,
  sidecarOpenError,
  staleTempError,
  tempPathFor,
  writeFailure,
  type Step,
} from "./_recipe.js";

const LOOK = { none: 0, read: 1, exists: 2 } as const;
const LOCKED = 0;
const CONTENDED = 1;
const STALE = 2;
const KINDS = ["file", "directory", "special file", "too-large", "absent", "symbolic link", "none"] as const;

/** The error of a replace job that failed at `r.step`. */
function replaceError(path: string, tmp: string, r: IoResult): Error {
  const step = r.step as Step;
  const err = step === "fsync-dir" ? systemError(r.errno, "fsync", dirname(path)) : systemError(r.errno, step, tmp);
  return writeFailure(path, step, err);
}

/**
 * The replace recipe as one job of the addon (native/io_posix.c, io_win32.c),
 * without a lock: a taken temp name is retried under another, a missing
 * folder created (durably) once.
 */
export async function replaceInOneJob(nat: IoBackend, path: string, bytes: Uint8Array, mode: number, durable: boolean): Promise<void> {
  const dir = dirname(path);
  for (let attempt = 1; ; attempt++) {
    const tmp = tempPathFor(path);
    const r = await asLongJob(() => nat.replaceFile(tmp, path, dir, bytes, mode, durable));
    if (r.errno === 0) return;
    const code = systemError(r.errno, r.step, tmp).code;
    if (r.step === "open" && code === "ENOENT" && attempt === 1) {
      try {
        await ensureDir(dir, nodeFileSystem, durable);
      } catch (mkdirErr) {
        throw writeFailure(path, "mkdir", mkdirErr);
      }
    } else if (r.step !== "open" || code !== "EEXIST" || attempt >= TEMP_ATTEMPTS) {
      throw replaceError(path, tmp, r);
    }
  }
}

/** The backend over the native pipeline `nat`. */
export function nativeBackend(nat: PipelineBackend): Backend {
  /**
   * Close a sidecar the addon opened, by the addon: node:fs need not know
   * the descriptor (Deno's fails with EBADF and leaks it). Nothing was
   * written through a sidecar, so a failed close loses nothing: ignored.
   */
  function close(fd: number): void {
    nat.closeFd(fd);
  }

  /** Unlock and close at once: neither call waits on anything. */
  function releaseNow(fd: number): void {
    nat.unlock(fd);
    close(fd);
  }

  function currentOf(r: AttemptResult, req: LockRequest): Current {
    const kind = KINDS[r.kind];
    const stat = { mode: r.mode ?? 0, uid: r.uid ?? -1, gid: r.gid ?? -1 };
    switch (kind) {
      case "file":
        return req.look === "read" ? { kind: "file", bytes: r.data ?? Buffer.alloc(0), stat } : { kind: "present" };
      case "absent":
      case "none":
        return { kind };
      case "too-large":
        return { kind: "too-large", error: new FileTooLargeError(req.path, r.size, req.maxBytes), stat };
      case "directory":
      case "special file":
      case "symbolic link":
        return { kind: "not-regular", error: new NotRegularFileError(req.path, kind) };
      default:
        throw new Error(`exlab: unknown file kind ${r.kind}`);
    }
  }

  /** The error a failed step reports, as the node:fs backend would raise it. */
  function errorOf(r: AttemptResult, req: LockRequest): unknown {
    const dir = dirname(req.path);
    switch (r.step) {
      case "open-sidecar":
        return sidecarOpenError(req.lockPath, systemError(r.errno, "open", req.lockPath));
      case "create-sidecar":
        return new PermissionDeniedError(dirname(req.lockPath), "create_in_folder", systemError(r.errno, "open", req.lockPath));
      case "open-sidecar-ro":
        return new PermissionDeniedError(req.lockPath, "open_sidecar", systemError(r.errno, "open", req.lockPath));
      case "flock":
        return osLockError(req.lockPath, "flock failed", r.errno);
      case "same-file":
        return sameFileError(req.lockPath, r.errno);
      case "readdir":
        return systemError(r.errno, "scandir", dir);
      case "unlink": {
        const stale = join(dir, r.failed ?? "");
        return staleTempError(stale, systemError(r.errno, "unlink", stale));
      }
      default:
        return systemError(r.errno, r.step, req.path);
    }
  }

  /** Turn a job's report into an attempt; a failure under the lock releases it first. */
  function attemptOf(r: AttemptResult, req: LockRequest): Attempt {
    for (const name of r.swept) req.onSwept?.(join(dirname(req.path), name));
    if (r.state === LOCKED) {
      if (r.errno !== 0) {
        releaseNow(r.fd);
        throw errorOf(r, req);
      }
      return { state: "locked", sidecar: { fd: r.fd }, current: currentOf(r, req) };
    }
    if (r.state === CONTENDED) return { state: "contended", sidecar: { fd: r.fd } };
    if (r.state === STALE) return { state: "stale" };
    if (r.fd >= 0) close(r.fd);
    throw errorOf(r, req);
  }

  async function tryLockAndRead(req: LockRequest): Promise<Attempt> {
    const dir = dirname(req.path);
    for (let madeDir = false; ; madeDir = true) {
      const r = await nat.lockAndRead(req.lockPath, req.path, dir, LOOK[req.look], req.maxBytes, req.sweep);
      if (r.step === "open-sidecar" && r.errno === nat.errno.ENOENT && !madeDir) {
        // First write under a new folder: create it (durably) and try again.
        try {
          await ensureDirOrRefuse(dirname(req.lockPath), nodeFileSystem);
        } catch (err) {
          if (err instanceof PermissionDeniedError) throw err;
          throw sidecarOpenError(req.lockPath, err);
        }
        continue;
      }
      return attemptOf(r, req);
    }
  }

  /** Where no thread can wait for the lock: close, and try the whole step again on timers. */
  function pollAndRead(sidecar: Sidecar, req: LockRequest, done: (err: unknown, attempt?: Attempt) => void): Waiter {
    close(sidecar.fd);
    const pauses = pollPauses();
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const poll = (): void => {
      timer = undefined;
      tryLockAndRead(req).then((a) => {
        if (a.state !== "contended") return done(undefined, a);
        close(a.sidecar.fd);
        if (stopped) done(new Error("the wait was cancelled"));
        else timer = setTimeout(poll, pauses.next().value);
      }, done);
    };
    timer = setTimeout(poll, pauses.next().value);
    return {
      cancel: () => {
        if (stopped) return false;
        stopped = true;
        // A try in flight reports by itself; a pending one is called off here.
        if (timer !== undefined) {
          clearTimeout(timer);
          timer = undefined;
          done(new Error("the wait was cancelled"));
        }
        return false;
      },
    };
  }

  return {
    tryLockAndRead,

    waitAndRead(sidecar, req, done): Waiter {
      if (!nat.canWait) return pollAndRead(sidecar, req, done);
      const handle = nat.waitAndRead(sidecar.fd, req.lockPath, req.path, dirname(req.path), LOOK[req.look], req.maxBytes, req.sweep, (r) => {
        let attempt: Attempt;
        try {
          attempt = attemptOf(r, req);
        } catch (err) {
          done(err);
          return;
        }
        done(undefined, attempt);
      });
      // A number: no thread could be started (EAGAIN under a process limit),
      // and the callback will never run; poll instead.
      if (typeof handle === "number") return pollAndRead(sidecar, req, done);
      return { cancel: () => nat.cancelWait(handle) === 1 };
    },

    async commit(sidecar, path, bytes, mode, durable, keep) {
      const dir = dirname(path);
      for (let attempt = 1; ; attempt++) {
        const tmp = tempPathFor(path);
        let r;
        try {
          r = await asLongJob(() => nat.commit(sidecar.fd, tmp, path, dir, bytes, mode, durable, keep?.mode ?? -1, keep?.uid ?? -1, keep?.gid ?? -1));
        } catch (err) {
          releaseNow(sidecar.fd); // the job never ran
          throw err;
        }
        if (r.errno === 0) return;
        // The temp name was taken: nothing done, the lock still held; another name.
        if (r.retry === 1 && attempt < TEMP_ATTEMPTS) continue;
        if (r.retry === 1) releaseNow(sidecar.fd);
        throw replaceError(path, tmp, r);
      }
    },

    release(sidecar) {
      releaseNow(sidecar.fd);
      return Promise.resolve();
    },

    replace: (path, bytes, mode, durable) => replaceInOneJob(nat, path, bytes, mode, durable),

    async read(path, maxBytes) {
      // A negative bound refuses every file; the call-by-call path says so.
      if (!(maxBytes >= 0)) return readWith(nodeFileSystem, path, maxBytes);
      const r = await nat.readFile(path, maxBytes);
      if (r.errno !== 0) {
        const err = systemError(r.errno, r.step, path);
        if (r.step === "open" && err.code === "ELOOP") throw new NotRegularFileError(path, "symbolic link");
        throw err;
      }
      const kind = KINDS[r.kind];
      if (kind === "directory" || kind === "special file") throw new NotRegularFileError(path, kind);
      if (kind === "too-large") throw new FileTooLargeError(path, r.size, maxBytes);
      return r.data ?? Buffer.alloc(0);
    },
  };
}
