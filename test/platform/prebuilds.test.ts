/**
 * The shipped binaries: the four prebuilds are there, for the right targets,
 * loadable where they claim (glibc 2.17, musl, Windows through node.exe's
 * exports), and this process loaded the one it should.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { needs } from "../helpers/capabilities.js";
import { REPO_ROOT } from "./_lanes.js";

interface NativeModule {
  nativeAddonPath(): string;
  flockBackend(): { canWait: boolean; tryLock(fd: number): number };
}
const nat = (await import(new URL("../../../dist/fs/_native.js", import.meta.url).href)) as NativeModule;

const prebuild = (name: string): string => join(REPO_ROOT, "prebuilds", name);
const objdump = (tool: string, flags: string, file: string): string => execFileSync(tool, [flags, file], { encoding: "utf8" });

/** The highest GLIBC_x.y symbol version a binary needs. */
function maxGlibc(file: string): string {
  const versions = [...objdump("objdump", "-T", file).matchAll(/GLIBC_([0-9.]+)/g)].map((m) => m[1] as string);
  assert.ok(versions.length > 0, `${file} needs no glibc symbols at all?`);
  const key = (v: string): number[] => v.split(".").map(Number);
  return versions.sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
    return 0;
  })[versions.length - 1] as string;
}

test("exactly the four prebuilds ship, each for its target", needs(["cross-binutils"]), () => {
  const found = readdirSync(prebuild("")).flatMap((d) => readdirSync(prebuild(d)).map((f) => `${d}/${f}`)).sort();
  assert.deepEqual(found, ["linux-arm64/node.napi.glibc.node", "linux-x64/node.napi.glibc.node", "linux-x64/node.napi.musl.node", "win32-x64/node.napi.node"]);
  assert.match(objdump("objdump", "-f", prebuild("linux-x64/node.napi.glibc.node")), /file format elf64-x86-64/);
  assert.match(objdump("objdump", "-f", prebuild("linux-x64/node.napi.musl.node")), /file format elf64-x86-64/);
  assert.match(objdump("aarch64-linux-gnu-objdump", "-f", prebuild("linux-arm64/node.napi.glibc.node")), /file format elf64-littleaarch64/);
  assert.match(objdump("x86_64-w64-mingw32-objdump", "-f", prebuild("win32-x64/node.napi.node")), /file format pei-x86-64/);
});

test("the glibc prebuilds need at most GLIBC_2.17", needs(["cross-binutils"]), () => {
  for (const file of ["linux-x64/node.napi.glibc.node", "linux-arm64/node.napi.glibc.node"]) {
    const [major = 0, minor = 0] = maxGlibc(prebuild(file)).split(".").map(Number);
    assert.ok(major < 2 || (major === 2 && minor <= 17), `${file} needs GLIBC_${maxGlibc(prebuild(file))}`);
  }
});

test("the musl prebuild needs musl's libc only", needs(["cross-binutils"]), () => {
  const dyn = objdump("objdump", "-p", prebuild("linux-x64/node.napi.musl.node"));
  assert.deepEqual([...dyn.matchAll(/NEEDED\s+(\S+)/g)].map((m) => m[1]), ["libc.so"]);
  assert.doesNotMatch(objdump("objdump", "-T", prebuild("linux-x64/node.napi.musl.node")), /GLIBC_/);
});

test("the win32 prebuild imports Node-API and libuv from the host lazily, and no C-runtime handle lookup", needs(["cross-binutils"]), () => {
  const file = prebuild("win32-x64/node.napi.node");
  const pe = objdump("x86_64-w64-mingw32-objdump", "-p", file);
  // No load-time import of node.exe: the delay-load hook binds it to the running executable.
  assert.deepEqual([...pe.matchAll(/DLL Name: (\S+)/g)].map((m) => m[1]).sort(), ["KERNEL32.dll", "msvcrt.dll"]);
  assert.doesNotMatch(pe, /_get_osfhandle/);
  // The sidecar's descriptor must be one of node.exe's C runtime, not of msvcrt.dll's.
  assert.doesNotMatch(pe, /_open_osfhandle/);
  const strings = execFileSync("strings", [file], { encoding: "utf8" }).split("\n");
  for (const s of ["NODE.EXE", "uv_fs_close", "uv_get_osfhandle", "uv_open_osfhandle", "uv_translate_sys_error", "napi_create_async_work"]) assert.ok(strings.includes(s), s);
});

test("this process loaded the prebuilt linux-x64 binary unless a local node-gyp build overrides it", () => {
  const local = join(REPO_ROOT, "build", "Release");
  const hasLocal = existsSync(local) && readdirSync(local).some((f) => f.endsWith(".node"));
  const expected = process.env.PREBUILDS_ONLY === undefined && hasLocal ? join(local, "exlab_cache.node") : prebuild("linux-x64/node.napi.glibc.node");
  assert.equal(nat.nativeAddonPath(), expected);
  assert.equal(nat.flockBackend().canWait, true);
  assert.equal(typeof nat.flockBackend().tryLock, "function");
});
