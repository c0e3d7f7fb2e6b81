/**
 * The native backend (native/io_posix.c, native/pipeline_posix.c) must be the
 * node:fs backend made faster, nothing else: the same syscalls in the same
 * order (seen by strace on real processes) for a replace, a read and a whole
 * locked write, the same results and the same errors, with nothing left
 * behind on failure. The node:fs backend is reached by injecting a
 * FileSystem, which is what the comparison runs against.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmod, mkdir, readFile, readdir, stat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import {
  FileTooLargeError,
  NotRegularFileError,
  WriteFailedError,
  atomicWriteFile,
  readCacheFile,
} from "exlab-cache";
import { finished, startChild, workerScript } from "./helpers/children.js";
import { callByCallFs } from "./helpers/nodefs.js";
import { tempDir } from "./helpers/tmp.js";
import { needs } from "./helpers/capabilities.js";

const PATHS = [{}, { fs: callByCallFs }] as const;

const TRACED = "openat,read,pread64,write,pwrite64,fsync,close,rename,renameat,renameat2,unlink,unlinkat,fstat,newfstatat,statx,lstat,stat,flock,getdents64";
const CANONICAL: Record<string, string> = {
  openat: "open",
  pread64: "read",
  pwrite64: "write",
  renameat: "rename",
  renameat2: "rename",
  unlinkat: "unlink",
  newfstatat: "fstat",
  statx: "fstat",
  // The glibc prebuilds link the pre-2.33 stat wrappers, which make the old
  // lstat/stat syscalls where a newer glibc makes newfstatat.
  lstat: "fstat",
  stat: "fstat",
  getdents64: "readdir",
};

/**
 * The syscalls a worker made on files under `dir`, in order, with file names
 * reduced to FILE, TMP and DIR: e.g. "open TMP O_WRONLY|O_CREAT|O_EXCL|O_CLOEXEC";
 * and how many threads made them.
 */
async function syscallsOn(t: Parameters<typeof tempDir>[0], op: string, file: string, dir: string, how: string): Promise<{ events: string[]; threads: number }> {
  const out = join(dir, "..", `${op}-${how}.strace`);
  const child = startChild(t, "strace", ["-f", "-qq", "-y", "-e", `trace=${TRACED}`, "-o", out, process.execPath, workerScript("bench-io"), op, file, how]);
  const res = await finished(child);
  assert.equal(res.code, 0, res.stderr);
  const name = (p: string): string =>
    p === file ? "FILE" : p === `${file}.lock` ? "LOCK" : p === dir ? "DIR" : /\.[A-Za-z0-9_-]+\.tmp$/.test(p) ? "TMP" : p;
  const events: string[] = [];
  const threads = new Set<string>();
  for (const line of (await readFile(out, "utf8")).split("\n")) {
    const m = /^(\d+)\s+(\w+)\((.*)$/.exec(line);
    if (m === null || line.includes("resumed>") || !line.includes(dir)) continue;
    threads.add(m[1] ?? "");
    const call = CANONICAL[m[2] ?? ""] ?? m[2] ?? "";
    const args = (m[3] ?? "").split(") = ")[0] ?? ""; // the call, not its result
    const paths = [...args.matchAll(/<([^>]*)>|"([^"]*)"/g)]
      .map((a) => a[1] ?? a[2] ?? "")
      .filter((p) => p.startsWith(dir))
      .map(name);
    // Flags are an argument of their own: a temp file's random name may hold "O_…" too.
    const flags = call === "open" ? ` ${/, (O_[A-Z|_]+)/.exec(args)?.[1] ?? ""}` : call === "flock" ? ` ${/, (LOCK_[A-Z|_]+)/.exec(args)?.[1] ?? ""}` : "";
    events.push(`${call} ${paths.join(" ")}${flags}`);
  }
  return { events, threads: threads.size };
}

test("the one-job replace makes the same syscalls, in the same order, as node:fs", needs(["strace"]), async (t) => {
  const root = await tempDir(t);
  const dir = join(root, "cache");
  await mkdir(dir);
  const file = join(dir, "equipment.json");
  const { events: native, threads } = await syscallsOn(t, "write", file, dir, "native");
  const { events: reference } = await syscallsOn(t, "write", file, dir, "nodefs");
  assert.equal(threads, 1, "one job: one pool thread made every call");
  assert.deepEqual(native, reference);
  assert.deepEqual(native, [
    "fstat FILE", // lstat: is there a file whose mode and owner to keep?
    "open TMP O_WRONLY|O_CREAT|O_EXCL|O_CLOEXEC",
    "write TMP",
    "fsync TMP",
    "close TMP",
    "rename TMP FILE",
    "open DIR O_RDONLY|O_CLOEXEC|O_DIRECTORY",
    "fsync DIR",
    "close DIR",
  ]);
});

test("the one-job read makes the same syscalls, in the same order, as node:fs", needs(["strace"]), async (t) => {
  const root = await tempDir(t);
  const dir = join(root, "cache");
  await mkdir(dir);
  const file = join(dir, "equipment.json");
  await writeFile(file, '{"a":1}');
  const { events: native, threads } = await syscallsOn(t, "read", file, dir, "native");
  const { events: reference } = await syscallsOn(t, "read", file, dir, "nodefs");
  assert.equal(threads, 1, "one job: one pool thread made every call");
  assert.deepEqual(native, reference);
  assert.deepEqual(native, ["open FILE O_RDONLY|O_NONBLOCK|O_NOFOLLOW|O_CLOEXEC", "fstat FILE", "read FILE", "close FILE"]);
});

test("a locked rewrite makes the same syscalls, in the same order, on both backends: lock-and-read, then commit-and-unlock", needs(["strace"]), async (t) => {
  const root = await tempDir(t);
  const dir = join(root, "cache");
  await mkdir(dir);
  const file = join(dir, "equipment.json");
  const runs: string[][] = [];
  for (const how of ["native", "nodefs"]) {
    await writeFile(file, "{}"); // corrupt: kept aside by a hard link (not traced), then replaced
    await writeFile(`${file}.AbCdEf12.tmp`, "left by a killed writer");
    runs.push((await syscallsOn(t, "rewrite", file, dir, how)).events.filter((e) => !e.includes(".corrupt-")));
  }
  assert.deepEqual(runs[0], runs[1]);
  // Listing the folder: getdents64 until empty (and an fstat where the libc's opendir makes one).
  const readdir = runs[0]?.filter((e) => e === "readdir DIR" || e === "fstat DIR") ?? [];
  assert.ok(readdir.includes("readdir DIR"), "the folder is listed for stale temp files");
  assert.deepEqual(runs[0], [
    "open LOCK O_RDWR|O_CREAT|O_NOFOLLOW|O_CLOEXEC",
    "flock LOCK LOCK_EX|LOCK_NB",
    "fstat LOCK",
    "fstat LOCK",
    "open DIR O_RDONLY|O_NONBLOCK|O_CLOEXEC|O_DIRECTORY",
    ...readdir,
    "close DIR",
    "unlink TMP",
    "open FILE O_RDONLY|O_NONBLOCK|O_NOFOLLOW|O_CLOEXEC",
    "fstat FILE",
    "read FILE",
    "close FILE",
    "open TMP O_WRONLY|O_CREAT|O_EXCL|O_CLOEXEC",
    "write TMP",
    "fsync TMP",
    "close TMP",
    "rename TMP FILE",
    "open DIR O_RDONLY|O_CLOEXEC|O_DIRECTORY",
    "fsync DIR",
    "close DIR",
    "flock LOCK LOCK_UN",
    "close LOCK",
  ]);
});

test("a marker that exists already: the same lock-and-look on both backends, then the lock is released with nothing written", needs(["strace"]), async (t) => {
  const root = await tempDir(t);
  const dir = join(root, "cache");
  await mkdir(dir);
  const file = join(dir, "test_runs.json");
  await writeFile(file, "{}");
  const runs: string[][] = [];
  for (const how of ["native", "nodefs"]) runs.push((await syscallsOn(t, "mark", file, dir, how)).events);
  assert.deepEqual(runs[0], runs[1]);
  const readdir = runs[0]?.filter((e) => e === "readdir DIR" || e === "fstat DIR") ?? [];
  assert.deepEqual(runs[0], [
    "open LOCK O_RDWR|O_CREAT|O_NOFOLLOW|O_CLOEXEC",
    "flock LOCK LOCK_EX|LOCK_NB",
    "fstat LOCK",
    "fstat LOCK",
    "open DIR O_RDONLY|O_NONBLOCK|O_CLOEXEC|O_DIRECTORY",
    ...readdir,
    "close DIR",
    "fstat FILE",
    "flock LOCK LOCK_UN",
    "close LOCK",
  ]);
  assert.equal(await readFile(file, "utf8"), "{}");
});

test("both paths write the same bytes and mode, create missing folders, and leave no temp file", async (t) => {
  const root = await tempDir(t);
  const umask = process.umask();
  for (const [i, options] of PATHS.entries()) {
    const dir = join(root, `p${i}`, "deep", ".exlab-wizard");
    const file = join(dir, "equipment.json");
    await atomicWriteFile(file, "first", options);
    await chmod(file, 0o640);
    await atomicWriteFile(file, new TextEncoder().encode("héllo"), { ...options, mode: 0o600 });
    assert.equal(await readFile(file, "utf8"), "héllo");
    assert.equal((await stat(file)).mode & 0o7777, 0o640, "a rewrite keeps the replaced file's mode, whatever `mode` says");
    await atomicWriteFile(join(dir, "empty.json"), "", { ...options, mode: 0o600 });
    assert.equal((await stat(join(dir, "empty.json"))).mode & 0o777, 0o600 & ~umask, "a new file is made with `mode`");
    await atomicWriteFile(join(dir, "default.json"), "", options);
    assert.equal((await stat(join(dir, "default.json"))).mode & 0o777, 0o666 & ~umask, "0666 by default: the umask decides");
    assert.equal(await readFile(join(dir, "empty.json"), "utf8"), "");
    assert.deepEqual((await readdir(dir)).sort(), ["default.json", "empty.json", "equipment.json"]);
  }
});

/** What a failure looks like, comparable across both paths. */
async function failure(p: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await p;
  } catch (err) {
    const e = err as WriteFailedError & NodeJS.ErrnoException;
    return { name: e.name, code: e.code, step: e.syscall, osCode: e instanceof WriteFailedError ? e.osCode : undefined };
  }
  return { name: "no error" };
}

test("a failed replace reports the same step and OS code on both paths and leaves nothing behind", async (t) => {
  const root = await tempDir(t);
  const results: Record<string, unknown>[][] = [];
  for (const [i, options] of PATHS.entries()) {
    const dir = join(root, `p${i}`);
    await mkdir(join(dir, "equipment.json"), { recursive: true }); // a directory where the file goes
    await writeFile(join(dir, "plain"), "x"); // a file where a folder should be
    results.push([
      await failure(atomicWriteFile(join(dir, "equipment.json"), "{}", options)),
      await failure(atomicWriteFile(join(dir, "plain", "equipment.json"), "{}", options)),
    ]);
    assert.deepEqual((await readdir(dir)).sort(), ["equipment.json", "plain"]);
    assert.deepEqual(await readdir(join(dir, "equipment.json")), []);
  }
  assert.deepEqual(results[0], results[1]);
  assert.deepEqual(results[0], [
    { name: "WriteFailedError", code: "write_failed", step: "rename", osCode: "EISDIR" },
    { name: "WriteFailedError", code: "write_failed", step: "open", osCode: "ENOTDIR" },
  ]);
});

test("the one-job read refuses what node:fs refuses, with the same errors, and reads up to the bound", async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, "equipment.json");
  await writeFile(file, "0123456789");
  await writeFile(join(dir, "empty.json"), "");
  await symlink(file, join(dir, "link.json"));
  await mkdir(join(dir, "dir.json"));
  execFileSync("mkfifo", [join(dir, "fifo.json")]);
  const cases: [string, number][] = [
    [file, 10],
    [file, 9],
    [join(dir, "empty.json"), 10],
    [join(dir, "missing.json"), 10],
    [join(dir, "link.json"), 10],
    [join(dir, "dir.json"), 10],
    [join(dir, "fifo.json"), 10],
  ];
  const outcome = async (path: string, maxBytes: number, options: object): Promise<unknown> => {
    try {
      return { bytes: (await readCacheFile(path, { ...options, maxBytes })).toString("utf8") };
    } catch (err) {
      const e = err as Error & Record<string, unknown>;
      return { name: e.name, message: e.message, code: e["code"], syscall: e["syscall"], path: e["path"], details: e["details"] };
    }
  };
  const native = await Promise.all(cases.map(([p, max]) => outcome(p, max, {})));
  const reference = await Promise.all(cases.map(([p, max]) => outcome(p, max, { fs: callByCallFs })));
  assert.deepEqual(native, reference);
  assert.deepEqual(native[0], { bytes: "0123456789" });
  assert.deepEqual(native[2], { bytes: "" });
  assert.equal((native[3] as { code: string }).code, "ENOENT");
  await assert.rejects(readCacheFile(file, { maxBytes: 9 }), FileTooLargeError);
  for (const p of ["link.json", "dir.json", "fifo.json"]) await assert.rejects(readCacheFile(join(dir, p)), NotRegularFileError);
});
