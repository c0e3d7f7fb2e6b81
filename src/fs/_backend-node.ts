/**
 * The backend over a {@link FileSystem}: every file operation is one call
 * through it (so a fault-injecting FileSystem sees each one), and only the
 * lock itself, which node:fs cannot take, goes to the platform lock backend.
 * The steps and their order are those of native/pipeline_posix.c.
 */
import { close, constants, type Stats } from "node:fs";
import { dirname, join } from "node:path";
import { FileTooLargeError, LockError, NotRegularFileError, PermissionDeniedError, errnoCode, isPermissionRefusal } from "../errors.js";
import type { Attempt, Backend, Current, FileStat, LockRequest, Sidecar, Waiter } from "./_backend.js";
import type { FileSystem } from "./_fs.js";
import { replaceInOneJob } from "./_backend-native.js";
import { binaryDiagnosis, flockBackend, systemError, type FlockBackend, type IoBackend } from "./_native.js";
import {
  ensureDirOrRefuse,
  isTempFileOf,
  osLockError,
  pollPauses,
  readWith,
  replaceWith,
  sameFileError,
  sidecarOpenError,
  staleTempError,
  statToKeep,
} from "./_recipe.js";

// Opened read-write, created when missing, never truncated (a peer may hold
// it), never through a symlink (a planted link would make us create or lock a
// file elsewhere). Same as native/pipeline_posix.c.
const SIDECAR_FLAGS = constants.O_RDWR | constants.O_CREAT | (constants.O_NOFOLLOW ?? 0);
// A sidecar another account created may not be writable for us: flock works
// on a read-only descriptor, so opening it read-only is enough to take part.
const SIDECAR_READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);
// Created 0666 so the umask and default ACLs decide, as for every file a
// group shares: a 0644 sidecar would lock the rest of the group out.
const SIDECAR_MODE = 0o666;

/** The platform lock backend, or a LockError saying why there is none. */
export function loadFlock(lockPath: string): FlockBackend {
  try {
    return flockBackend();
  } catch (err) {
    const reason = ((err as Error).message.split("\n")[0] ?? "").trim();
    const { cause, fix } = binaryDiagnosis();
    throw new LockError(lockPath, `the native lock backend could not be loaded (${reason}): ${cause}. Fix: ${fix}; \`exlab-cache doctor\` checks the result`, {
      cause: err,
    });
  }
}

/** An error that only says a wait was called off (the caller knows why). */
function cancelled(): Error {
  return new Error("the wait was cancelled");
}

/**
 * Python's filelock deletes the sidecar after each release on Windows; until
 * the last handle on it closes, opening that name is refused (access denied),
 * and while the deleting call has it open, the native open, which does not
 * share deletion, meets a sharing violation (EBUSY). Both are over within
 * moments, so the open is retried for this long.
 */
const DELETE_PENDING_RETRY_MS = 2_000;
const IS_WINDOWS = process.platform === "win32";

/**
 * The backend over `fs`. With `oneJob` (the addon's I/O, on Windows) the
 * replace recipe runs as that one job instead of a call at a time. With
 * `nativeOpen` (the addon's, on Windows; by default `oneJob`'s) the sidecar
 * is opened by the addon, without sharing deletion (see native/io_win32.c for
 * why), instead of through `fs`.
 */
export function nodeBackend(fs: FileSystem, oneJob?: IoBackend, nativeOpen: IoBackend["openSidecar"] = oneJob?.openSidecar): Backend {

  /** One open of the sidecar, read-write and created when missing, or read-only. */
  async function openAs(lockPath: string, writable: boolean): Promise<Sidecar> {
    if (nativeOpen !== undefined) {
      const rc = await nativeOpen(lockPath, writable);
      if (rc < 0) throw systemError(-rc, "open", lockPath);
      return { fd: rc };
    }
    const fh = writable ? await fs.open(lockPath, SIDECAR_FLAGS, SIDECAR_MODE) : await fs.open(lockPath, SIDECAR_READ_FLAGS);
    return { fd: fh.fd, fh };
  }

  /**
   * Open the sidecar read-write (creating it), or read-only when it exists but
   * this account may not write it. A refusal of both is a permission error:
   * creating it (the folder refuses) or opening it (the file refuses).
   */
  async function openSidecarOnce(lockPath: string): Promise<Sidecar> {
    try {
      return await openAs(lockPath, true);
    } catch (err) {
      if (!isPermissionRefusal(err)) throw err;
      try {
        return await openAs(lockPath, false);
      } catch (readErr) {
        // ENOENT: the sidecar is missing and the folder refused to create it.
        if (errnoCode(readErr) === "ENOENT") throw new PermissionDeniedError(dirname(lockPath), "create_in_folder", err);
        if (isPermissionRefusal(readErr)) throw new PermissionDeniedError(lockPath, "open_sidecar", readErr);
        throw readErr;
      }
    }
  }

  /** Windows: retry a refusal that may be a name being deleted, briefly and within the deadline. */
  async function openSidecar(lockPath: string, deadline: number): Promise<Sidecar> {
    const retryUntil = Math.min(deadline, performance.now() + DELETE_PENDING_RETRY_MS);
    const pauses = pollPauses();
    for (;;) {
      try {
        return await openSidecarOrFolder(lockPath);
      } catch (err) {
        const refused = err instanceof LockError || err instanceof PermissionDeniedError;
        const passing = refused && (isPermissionRefusal(err.cause) || errnoCode(err.cause) === "EBUSY");
        if (!IS_WINDOWS || !passing || performance.now() >= retryUntil) throw err;
      }
      await new Promise((r) => setTimeout(r, pauses.next().value));
    }
  }

  async function openSidecarOrFolder(lockPath: string): Promise<Sidecar> {
    try {
      try {
        return await openSidecarOnce(lockPath);
      } catch (err) {
        if (errnoCode(err) !== "ENOENT" || err instanceof PermissionDeniedError) throw err;
        // First write under a new folder: create it (durably) and try again.
        await ensureDirOrRefuse(dirname(lockPath), fs);
        return await openSidecarOnce(lockPath);
      }
    } catch (err) {
      if (err instanceof PermissionDeniedError) throw err;
      throw sidecarOpenError(lockPath, err);
    }
  }

  async function release(sidecar: Sidecar): Promise<void> {
    try {
      flockBackend().unlock(sidecar.fd);
    } finally {
      // Opened by the addon: a descriptor node:fs knows, without a FileHandle.
      if (sidecar.fh === undefined) await new Promise<void>((done) => close(sidecar.fd, () => done()));
      else await sidecar.fh.close().catch(() => undefined);
    }
  }

  async function sweep(req: LockRequest): Promise<void> {
    const dir = dirname(req.path);
    const name = req.path.slice(dir.length + 1);
    let entries: string[];
    try {
      entries = await fs.readdir(dir);
    } catch (err) {
      if (errnoCode(err) === "ENOENT") return;
      throw err;
    }
    for (const entry of entries) {
      if (!isTempFileOf(name, entry)) continue;
      const stale = join(dir, entry);
      try {
        await fs.unlink(stale);
      } catch (err) {
        const code = errnoCode(err);
        if (code === "ENOENT") continue;
        // A folder with a temp file's name is no writer's leftover (writers
        // create files): it is someone else's, left alone for `check` to
        // report, and must not stop this write. unlink(2) refuses a folder
        // with EISDIR on Linux, EPERM on macOS and BSD.
        if ((code === "EISDIR" || code === "EPERM") && (await isFolder(stale))) continue;
        throw staleTempError(stale, err);
      }
      req.onSwept?.(stale);
    }
  }

  async function isFolder(path: string): Promise<boolean> {
    try {
      return (await fs.lstat(path)).isDirectory();
    } catch {
      return false;
    }
  }

  async function look(req: LockRequest): Promise<Current> {
    if (req.look === "none") return { kind: "none" };
    if (req.look === "exists") {
      let st;
      try {
        st = await fs.lstat(req.path);
      } catch (err) {
        if (errnoCode(err) === "ENOENT") return { kind: "absent" };
        throw err;
      }
      if (st.isFile()) return { kind: "present" };
      const what = st.isSymbolicLink() ? "symbolic link" : st.isDirectory() ? "directory" : "special file";
      return { kind: "not-regular", error: new NotRegularFileError(req.path, what) };
    }
    let stat: FileStat = { mode: 0, uid: -1, gid: -1 };
    const onStat = (st: Stats): void => {
      stat = { mode: st.mode, uid: st.uid, gid: st.gid };
    };
    try {
      return { kind: "file", bytes: await readWith(fs, req.path, req.maxBytes, onStat), stat };
    } catch (err) {
      if (errnoCode(err) === "ENOENT") return { kind: "absent" };
      if (err instanceof FileTooLargeError) return { kind: "too-large", error: err, stat };
      if (err instanceof NotRegularFileError) return { kind: "not-regular", error: err };
      throw err;
    }
  }

  /** What follows the grant: the inode re-check, the sweep, the look. */
  async function whileLocked(sidecar: Sidecar, req: LockRequest): Promise<Attempt> {
    const nat = flockBackend();
    const same = nat.sameFile(sidecar.fd, req.lockPath);
    if (same !== 0) {
      await release(sidecar);
      if (same === nat.errno.ESTALE || same === nat.errno.ENOENT) return { state: "stale" };
      throw sameFileError(req.lockPath, same);
    }
    try {
      if (req.sweep) await sweep(req);
      return { state: "locked", sidecar, current: await look(req) };
    } catch (err) {
      await release(sidecar);
      throw err;
    }
  }

  return {
    release,

    async tryLockAndRead(req) {
      const nat = loadFlock(req.lockPath);
      const sidecar = await openSidecar(req.lockPath, req.deadline);
      const rc = nat.tryLock(sidecar.fd);
      if (rc === nat.errno.EWOULDBLOCK) return { state: "contended", sidecar };
      if (rc !== 0) {
        await release(sidecar);
        throw osLockError(req.lockPath, "flock failed", rc);
      }
      return whileLocked(sidecar, req);
    },

    waitAndRead(sidecar, req, done): Waiter {
      const nat = flockBackend();
      let finished = false;
      const finish = (err: unknown, attempt?: Attempt): void => {
        if (finished) return;
        finished = true;
        done(err, attempt);
      };
      const granted = (): void => {
        whileLocked(sidecar, req).then((a) => finish(undefined, a), finish);
      };
      const failed = (err: unknown): void => {
        void release(sidecar).then(() => finish(err));
      };
      if (nat.canWait) {
        const handle = nat.waitLock(sidecar.fd, (errno) => {
          if (errno === 0) granted();
          else failed(errno === nat.errno.ECANCELED ? cancelled() : osLockError(req.lockPath, "flock failed", errno));
        });
        // A number: no thread could be started (EAGAIN under a process
        // limit), and the callback will never run; poll below instead.
        if (typeof handle !== "number") return { cancel: () => nat.cancelWait(handle) === 1 };
      }
      // No thread can wait for the lock here (Windows, or none to be had): try again on timers.
      const pauses = pollPauses();
      let timer: NodeJS.Timeout | undefined;
      const poll = (): void => {
        timer = undefined;
        const rc = nat.tryLock(sidecar.fd);
        if (rc === 0) granted();
        else if (rc === nat.errno.EWOULDBLOCK) timer = setTimeout(poll, pauses.next().value);
        else failed(osLockError(req.lockPath, "lock failed", rc));
      };
      timer = setTimeout(poll, pauses.next().value);
      return {
        cancel: () => {
          if (timer !== undefined) {
            clearTimeout(timer);
            timer = undefined;
            failed(cancelled());
          }
          return false;
        },
      };
    },

    async commit(sidecar, path, bytes, mode, durable, keep) {
      try {
        // The folder holds the sidecar, so it exists: no mkdir here.
        if (oneJob !== undefined) await replaceInOneJob(oneJob, path, bytes, mode, durable);
        else await replaceWith(fs, path, bytes, mode, durable, false, keep);
      } finally {
        await release(sidecar);
      }
    },

    replace: async (path, bytes, mode, durable) =>
      oneJob !== undefined ? replaceInOneJob(oneJob, path, bytes, mode, durable) : replaceWith(fs, path, bytes, mode, durable, true, await statToKeep(fs, path)),
    read: (path, maxBytes) => readWith(fs, path, maxBytes),
  };
}
