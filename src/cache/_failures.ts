/**
 * What the store does around a locked write, whatever the record: examine
 * the filesystem before locking, and turn what went wrong into structured
 * errors.
 */
import { dirname } from "node:path";
import {
  ExlabCacheError,
  LockError,
  PermissionDeniedError,
  WriteFailedError,
  errnoCode,
  isPermissionRefusal,
  type RefusedOperation,
} from "../errors.js";
import { unsafeFilesystemOf, type UnsafeFilesystem } from "../fs/fstype.js";

/** OS errors that mean the storage refuses writes, whichever file met them first. */
const STORAGE_REFUSALS = new Set(["EROFS", "ENOSPC", "EDQUOT", "EIO"]);

/** Filesystems already reported through `onWarning` in this process, by {@link UnsafeFilesystem.key}. */
export const warnedFilesystems = new Set<string>();

/**
 * What each folder written in sits on, shared by every writer of the process.
 * Callers of one folder await the same promise, so they go on in the order
 * they called and reach the lock's queue in call order, as they would without
 * this check; after the first answer a check costs no syscall.
 */
const folderFilesystems = new Map<string, Promise<UnsafeFilesystem | undefined>>();

/** The unsafe filesystem `dir` is on, or undefined (also when nothing can be examined). */
export function filesystemOf(dir: string): Promise<UnsafeFilesystem | undefined> {
  let found = folderFilesystems.get(dir);
  if (found === undefined) {
    found = unsafeFilesystemOf(dir).then(
      (seen) => {
        // Only a folder that exists is remembered: where it is created decides.
        if (seen !== undefined && seen.examined !== dir) folderFilesystems.delete(dir);
        return seen;
      },
      () => {
        // Nothing examinable: the write itself meets the same error and reports it.
        folderFilesystems.delete(dir);
        return undefined;
      },
    );
    folderFilesystems.set(dir, found);
  }
  return found;
}

/**
 * Whether `err`, or an error it wraps, is the storage refusing writes because
 * it is mounted read-only: whatever step met it first (the sidecar's open,
 * the folder's mkdir, a stale temp file's unlink, the temp file's open).
 */
export function isReadOnly(err: unknown): boolean {
  for (let e = err, depth = 0; e !== undefined && e !== null && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if (errnoCode(e) === "EROFS") return true;
    if (e instanceof ExlabCacheError && e.details?.["os_code"] === "EROFS") return true;
  }
  return false;
}

/**
 * What a refused step around the replace was trying to do. The replace's own
 * steps, the rename among them, never get here: src/fs/_recipe.ts
 * (`writeFailure`) has already made them structured errors.
 */
function refusedOperation(syscall: string): RefusedOperation {
  if (syscall === "scandir" || syscall === "readdir" || syscall === "lstat" || syscall === "stat") return "list_folder";
  if (syscall === "open" || syscall === "read" || syscall === "fstat") return "read_file";
  return "create_in_folder";
}

function syscallOf(err: unknown): string {
  return (err as NodeJS.ErrnoException).syscall ?? "unknown";
}

/**
 * Make every failure of a write call a structured error. An OS error from a
 * step around the replace (listing the folder, reading the current file,
 * checking for a marker) becomes `write_failed` naming `path`, or
 * `permission_denied` naming what was refused. So does a lock
 * that could not be taken because the storage refuses writes: on a read-only
 * mount the sidecar is refused before anything else, and "read-only" is
 * what the caller must act on, not "cannot lock".
 */
export function asWriteFailure(path: string, err: unknown): unknown {
  if (err instanceof LockError) {
    const code = errnoCode(err.cause);
    return code !== undefined && STORAGE_REFUSALS.has(code) ? new WriteFailedError(path, syscallOf(err.cause), err.cause) : err;
  }
  // Only operating-system errors (they name an errno or a syscall) are
  // storage failures; anything else (a programming error, a module that
  // failed to load) is passed on as it is.
  const os = typeof err === "object" && err !== null ? (err as { errno?: unknown; syscall?: unknown }) : {};
  const fromOs = typeof os.errno === "number" || typeof os.syscall === "string";
  if (err instanceof ExlabCacheError || errnoCode(err) === undefined || !fromOs) return err;
  if (isPermissionRefusal(err)) {
    const syscall = syscallOf(err);
    const where = (err as NodeJS.ErrnoException).path ?? path;
    // A refused lstat of a file is a folder that may not be searched.
    return new PermissionDeniedError(syscall === "lstat" || syscall === "stat" ? dirname(where) : where, refusedOperation(syscall), err);
  }
  return new WriteFailedError(path, syscallOf(err), err);
}

/**
 * An upper bound of the UTF-8 size of `JSON.stringify(value)`, found without
 * encoding: every UTF-16 unit of a string takes at most 6 bytes (`\u001f`),
 * a number at most 24 characters. Infinity for what it cannot bound.
 */
export function jsonSizeBound(value: unknown, depth = 0): number {
  if (typeof value === "string") return 6 * value.length + 2;
  if (typeof value === "number") return 24;
  if (typeof value === "boolean" || value === null) return 5;
  if (typeof value !== "object" || depth > 64) return Infinity;
  let n = 2;
  if (Array.isArray(value)) {
    for (const v of value as unknown[]) n += jsonSizeBound(v, depth + 1) + 1;
    return n;
  }
  for (const [k, v] of Object.entries(value)) n += 6 * k.length + 3 + jsonSizeBound(v, depth + 1) + 1;
  return n;
}
