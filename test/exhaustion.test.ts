/**
 * Running out of things the OS hands out: threads for lock waiters, path
 * length, errno names. Each ends in the documented behaviour (a fallback or
 * a structured error), never a plain Error or a TypeError.
 */
import assert from "node:assert/strict";
import { execFileSync, type ChildProcess } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { constants } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import {
  EquipmentCacheWriter,
  LockError,
  WriteFailedError,
  atomicWriteFile,
  equipmentJsonPath,
  readCacheFile,
  withFileLock,
} from "exlab-cache";
import { finished, startChild, waitForLine, workerScript } from "./helpers/children.js";
import { equipmentPayload, tempDir } from "./helpers/tmp.js";
import { needs } from "./helpers/capabilities.js";

interface NativeModule {
  errnoName(errno: number): string;
  systemError(errno: number, syscall: string, path: string): NodeJS.ErrnoException;
  flockBackend(): { sameFile(fd: number, path: string): number };
  nativeAddonPath(): string;
}
// The compiled module the package itself uses (not exported by the package).
const native = (await import(new URL("../../dist/fs/_native.js", import.meta.url).href)) as NativeModule;

/** Resolve once `child` has written `count` lines containing `text` to stderr. */
function waitForStderr(child: ChildProcess, text: string, count = 1): Promise<void> {
  return new Promise((resolve, reject) => {
    let buf = "";
    const onData = (d: Buffer | string): void => {
      buf += d.toString();
      if (buf.split("\n").filter((l) => l.includes(text)).length >= count) {
        child.stderr?.off("data", onData);
        resolve();
      }
    };
    child.stderr?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`child exited (${code}) before writing ${text} to stderr`)));
  });
}

test("with no thread to be had for a lock waiter, contended writes poll instead of failing, and none is lost", needs(["cc"]), async (t) => {
  const dir = await tempDir(t);
  // A preloaded pthread_create that refuses (EAGAIN, as under `ulimit -u`)
  // every thread whose code lives in the addon (the file this package loads:
  // a local build or a prebuild), and nothing else, so Node itself starts
  // normally. It says so on stderr each time.
  const src = join(dir, "nothread.c");
  const lib = join(dir, "nothread.so");
  await writeFile(
    src,
    [
      "#define _GNU_SOURCE",
      "#include <dlfcn.h>",
      "#include <errno.h>",
      "#include <pthread.h>",
      "#include <string.h>",
      "#include <unistd.h>",
      "typedef int (*create_fn)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);",
      "int pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*fn)(void *), void *arg) {",
      "  static create_fn real;",
      "  Dl_info info;",
      '  if (real == 0) real = (create_fn)dlsym(RTLD_NEXT, "pthread_create");',
      '  if (dladdr((void *)fn, &info) && info.dli_fname != 0 && strcmp(info.dli_fname, EXLAB_ADDON) == 0) {',
      '    static const char msg[] = "nothread: refused\\n";',
      "    (void)!write(2, msg, sizeof msg - 1);",
      "    return EAGAIN;",
      "  }",
      "  return real(t, a, fn, arg);",
      "}",
      "",
    ].join("\n"),
  );
  execFileSync("cc", ["-shared", "-fPIC", `-DEXLAB_ADDON=${JSON.stringify(native.nativeAddonPath())}`, "-o", lib, src, "-ldl"]);
  const counter = join(dir, "counter");
  const holder = startChild(t, process.execPath, [workerScript("lock-holder"), counter]);
  const held = finished(holder);
  await waitForLine(holder, "locked");
  const perChild = 100;
  const children = [0, 1].map(() => startChild(t, process.execPath, [workerScript("counter"), counter, String(perChild)], { LD_PRELOAD: lib }));
  const results = children.map((c) => finished(c));
  // Each child has tried, and failed, to start a waiter for the held lock:
  // from here on both are polling.
  await Promise.all(children.map((c) => waitForStderr(c, "nothread: refused")));
  holder.stdin?.write("release\n");
  assert.equal((await held).code, 0);
  for (const r of await Promise.all(results)) {
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "done\n");
  }
  assert.equal(await readFile(counter, "utf8"), String(2 * perChild));
});

/** A path of exactly `length` bytes under `dir`, in components the OS accepts (at most 255 bytes each). */
function pathOfLength(dir: string, length: number): string {
  let p = dir;
  while (length - p.length > 256) p += `/${"d".repeat(200)}`;
  return `${p}/${"f".repeat(length - p.length - 1)}`;
}

test("a lock path of 4,095 bytes (PATH_MAX less its NUL) is locked like any other", async (t) => {
  const dir = await tempDir(t);
  const path = pathOfLength(dir, 4095 - ".lock".length);
  assert.equal(`${path}.lock`.length, 4095);
  assert.equal(await withFileLock(path, () => "ran"), "ran");
  // The temp file beside it cannot be named: a structured write error.
  await assert.rejects(atomicWriteFile(path, "{}"), (e: unknown) => {
    assert.ok(e instanceof WriteFailedError);
    assert.equal(e.osCode, "ENAMETOOLONG");
    return true;
  });
});

test("a path over 4 KiB is a structured error with ENAMETOOLONG on every entry point, and nothing is written", async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, "lab");
  await mkdir(root);
  const path = pathOfLength(root, 5000);
  const lockFailed = (e: unknown): boolean => {
    assert.ok(e instanceof LockError, String(e));
    assert.equal(e.code, "lock_failed");
    assert.equal(e.toEnvelope().error.details?.["os_code"], "ENAMETOOLONG");
    return true;
  };
  await assert.rejects(withFileLock(path, () => "ran"), lockFailed);
  await assert.rejects(atomicWriteFile(path, "{}"), (e: unknown) => {
    assert.ok(e instanceof WriteFailedError, String(e));
    assert.equal(e.osCode, "ENAMETOOLONG");
    return true;
  });
  // Reads report Node's own system errors (as for ENOENT), never a TypeError.
  const tooLong = (e: unknown): boolean => {
    assert.ok(!(e instanceof TypeError), String(e));
    assert.equal((e as NodeJS.ErrnoException).code, "ENAMETOOLONG");
    return true;
  };
  await assert.rejects(readCacheFile(path), tooLong);
  const writer = new EquipmentCacheWriter();
  const eqPath = equipmentJsonPath(pathOfLength(root, 5000), "CONFOCAL_01");
  await assert.rejects(writer.writeEquipment(eqPath, equipmentPayload()), lockFailed);
  await assert.rejects(writer.readEquipment(eqPath), tooLong);
  assert.deepEqual(await readdir(root), []);
  // The check of the locked inode takes a path of any length: the OS answers.
  const fd = openSync(join(dir, "plain"), "w");
  try {
    assert.equal(native.flockBackend().sameFile(fd, path), constants.errno.ENAMETOOLONG);
  } finally {
    closeSync(fd);
  }
});

test("every errno gets its name, also those libuv does not know (ESTALE, not E116)", () => {
  for (const [name, value] of Object.entries(constants.errno)) {
    const got = native.errnoName(value);
    assert.equal((constants.errno as Record<string, number>)[got], value, `${name} (${value}) came out as ${got}`);
  }
  assert.equal(native.errnoName(constants.errno.ESTALE), "ESTALE");
  assert.equal(native.errnoName(constants.errno.EPROTO), "EPROTO");
  const err = native.systemError(constants.errno.ESTALE, "open", "/x");
  assert.equal(err.code, "ESTALE");
  assert.match(err.message, /^ESTALE: .*, open '\/x'$/);
  assert.equal(err.errno, -constants.errno.ESTALE);
  // A number no table knows keeps a stable, recognisable name.
  assert.equal(native.errnoName(4000), "E4000");
});
