import assert from "node:assert/strict";
import { chmod, mkdir, readFile, readdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { WriteFailedError, atomicWriteFile, readCacheFile } from "exlab-cache";
import { tempDir } from "./helpers/tmp.js";

test("atomicWriteFile creates missing parents and leaves only the target", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "a", "b", "c", "file.json");
  await atomicWriteFile(path, '{"x":1}');
  assert.equal(await readFile(path, "utf8"), '{"x":1}');
  assert.deepEqual(await readdir(join(dir, "a", "b", "c")), ["file.json"]);
  // Created 0666: the umask decides.
  assert.equal((await stat(path)).mode & 0o777, 0o666 & ~process.umask());
});

test("atomicWriteFile replaces an existing file whole and accepts bytes", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "file.bin");
  await writeFile(path, "old content that is longer than the new one", { mode: 0o640 });
  await chmod(path, 0o640);
  await atomicWriteFile(path, Uint8Array.from([1, 2, 3]), { mode: 0o600 });
  assert.deepEqual([...(await readFile(path))], [1, 2, 3]);
  // A rewrite keeps the existing file's mode; `mode` is for new files.
  assert.equal((await stat(path)).mode & 0o7777, 0o640);
  const fresh = join(dir, "fresh.bin");
  await atomicWriteFile(fresh, "x", { mode: 0o600 });
  assert.equal((await stat(fresh)).mode & 0o777, 0o600 & ~process.umask());
});

test("a write into a directory that cannot be created fails with write_failed naming the path", async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, "blocker"), "a file where a directory should be");
  const path = join(dir, "blocker", "sub", "file.json");
  await assert.rejects(atomicWriteFile(path, "{}"), (err: unknown) => {
    assert.ok(err instanceof WriteFailedError);
    assert.equal(err.code, "write_failed");
    assert.equal(err.path, path);
    assert.equal(err.osCode, "ENOTDIR");
    return true;
  });
});

test("renaming over a directory fails and removes the temp file", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "target");
  await mkdir(path);
  await assert.rejects(atomicWriteFile(path, "{}"), (err: unknown) => err instanceof WriteFailedError && err.syscall === "rename");
  assert.deepEqual(await readdir(dir), ["target"]);
});

test("readCacheFile returns the whole file and refuses a directory", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "f");
  const body = "x".repeat(70_000);
  await writeFile(path, body);
  assert.equal((await readCacheFile(path)).toString(), body);
  await assert.rejects(readCacheFile(dir), { code: "not_regular_file" });
  await assert.rejects(readCacheFile(path, { maxBytes: 10 }), { code: "file_too_large" });
});

test("atomicWriteFile refuses a mode that is not permission bits and takes any truthy durable", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "f");
  await assert.rejects(atomicWriteFile(path, "{}", { mode: "644" as unknown as number }), TypeError);
  await atomicWriteFile(path, "{}", { durable: 1 as unknown as boolean });
  assert.deepEqual(await readdir(dir), ["f"]);
});
