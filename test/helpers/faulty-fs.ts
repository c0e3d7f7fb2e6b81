/**
 * A fault-injecting `FileSystem` for the writer's and `atomicWriteFile`'s
 * `fs` option: every call goes to the real `node:fs/promises`, except those a
 * rule turns into an operating-system error. File handles are the real ones,
 * wrapped so that `write`/`writeFile` and `sync`/`datasync` can fail too.
 */
import assert from "node:assert/strict";
import { constants, type PathLike } from "node:fs";
import * as fsp from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import { PermissionDeniedError, WriteFailedError, type FileSystem } from "exlab-cache";

/** The calls a rule can fail. `write` and `sync` are calls on a handle, named by the path it was opened at. */
export type FaultOp = "open" | "rename" | "unlink" | "mkdir" | "readdir" | "lstat" | "link" | "write" | "sync";

/**
 * Decides, for one call, whether it fails: return an errno code (`"ENOSPC"`)
 * to fail it, undefined to let it through. `path` is the first path argument
 * (the source for `rename`/`link`); `flags` the open flags.
 */
export type FaultRule = (op: FaultOp, path: string, flags?: number) => string | undefined;

/** A system error shaped like the ones Node throws. */
export function osError(code: string, syscall: string, path: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`${code}: injected fault, ${syscall} '${path}'`);
  err.code = code;
  err.syscall = syscall;
  err.path = path;
  return err;
}

/** One call seen by the wrapper, in order, with how it ended. */
export interface FsCall {
  op: FaultOp;
  path: string;
  failed: string | undefined;
}

/** A `FileSystem` that applies `rule` to every call, and the log of calls made. */
export function faultyFs(rule: FaultRule): { fs: FileSystem; calls: FsCall[] } {
  const calls: FsCall[] = [];
  const gate = (op: FaultOp, path: PathLike, flags?: number): void => {
    const p = String(path);
    const code = rule(op, p, flags);
    calls.push({ op, path: p, failed: code });
    if (code !== undefined) throw osError(code, op, p);
  };
  const wrapHandle = (fh: FileHandle, path: string): FileHandle =>
    new Proxy(fh, {
      get(target, prop) {
        if (prop === "writeFile" || prop === "write") {
          return async (data: string | Uint8Array, ...rest: unknown[]) => {
            const code = rule("write", path);
            calls.push({ op: "write", path, failed: code });
            if (code === undefined) return (target[prop] as (...a: unknown[]) => Promise<unknown>).call(target, data, ...rest);
            // A full disk fails part-way: put half the bytes down first, as
            // the kernel would, so a leftover partial temp file is visible.
            const bytes = typeof data === "string" ? Buffer.from(data) : data;
            await target.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
            throw osError(code, "write", path);
          };
        }
        if (prop === "sync" || prop === "datasync") {
          return async () => {
            gate("sync", path);
            await target[prop]();
          };
        }
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  const fs: FileSystem = {
    open: (async (path: PathLike, flags?: string | number, mode?: number) => {
      gate("open", path, typeof flags === "number" ? flags : undefined);
      return wrapHandle(await fsp.open(path, flags, mode), String(path));
    }) as FileSystem["open"],
    rename: async (from, to) => {
      gate("rename", from);
      await fsp.rename(from, to);
    },
    unlink: async (path) => {
      gate("unlink", path);
      await fsp.unlink(path);
    },
    mkdir: (async (path: PathLike, options?: Parameters<typeof fsp.mkdir>[1]) => {
      gate("mkdir", path);
      return fsp.mkdir(path, options);
    }) as FileSystem["mkdir"],
    readdir: (async (path: PathLike, options?: unknown) => {
      gate("readdir", path);
      return fsp.readdir(path, options as never);
    }) as FileSystem["readdir"],
    lstat: (async (path: PathLike, options?: unknown) => {
      gate("lstat", path);
      return fsp.lstat(path, options as never);
    }) as FileSystem["lstat"],
    link: async (from, to) => {
      gate("link", from);
      await fsp.link(from, to);
    },
  };
  return { fs, calls };
}

/** Assert `err` is the structured write failure the issue asks for. */
export function assertWriteFailed(err: unknown, path: string, osCode: string, syscall: string): true {
  assert.ok(err instanceof WriteFailedError, `expected a WriteFailedError, got ${String(err)}`);
  assert.equal(err.code, "write_failed");
  assert.equal(err.path, path);
  assert.equal(err.osCode, osCode);
  assert.equal(err.syscall, syscall);
  assert.ok(err.message.includes(path), `the message does not name ${path}: ${err.message}`);
  const envelope = err.toEnvelope().error;
  assert.equal(envelope.code, "write_failed");
  assert.equal(envelope.details?.["path"], path);
  assert.equal(envelope.details?.["os_code"], osCode);
  return true;
}

/**
 * Check `err` is the one permission error every entry point reports:
 * `permission_denied`, naming `path` and what was refused.
 */
export function assertPermissionDenied(err: unknown, path: string, operation: string, osCode = "EACCES"): true {
  assert.ok(err instanceof PermissionDeniedError, `expected a PermissionDeniedError, got ${String(err)}`);
  assert.equal(err.code, "permission_denied");
  assert.equal(err.path, path);
  assert.equal(err.operation, operation);
  assert.equal(err.osCode, osCode);
  assert.ok(err.message.includes(path), `the message does not name ${path}: ${err.message}`);
  assert.deepEqual(err.toEnvelope().error.details, { operation, os_code: osCode, path });
  return true;
}

const WRITE_FLAGS = constants.O_CREAT | constants.O_WRONLY | constants.O_RDWR;

/**
 * A rule for storage that refuses changes with `code` (EACCES, EROFS): in
 * `dir` itself, or anywhere below it with `deep`, creating, opening for
 * writing, renaming, linking and removing fail; reading works.
 */
export function refuseChanges(dir: string, code: string, deep = false): FaultRule {
  return (op, path, flags) => {
    const inside = deep ? path === dir || path.startsWith(`${dir}/`) : dirname(path) === dir || path === dir;
    if (!inside) return undefined;
    if (op === "open") return (flags ?? 0) & WRITE_FLAGS ? code : undefined;
    return ["rename", "unlink", "link", "mkdir"].includes(op) ? code : undefined;
  };
}
