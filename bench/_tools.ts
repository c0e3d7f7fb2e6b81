/**
 * The outside programs a run needs: the C floor, compiled now with the
 * machine's `cc` into a scratch directory, and a Python 3 with `filelock`.
 * A missing tool stops the run with a clear message; no contender is ever
 * silently left out.
 */
import { execFile } from "node:child_process";
import { statfs } from "node:fs/promises";
import { cpus, release } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { benchSource } from "./_paths.js";

const run = promisify(execFile);

/** Compile bench/floor.c into `scratch`; returns the binary's path. */
export async function compileFloor(scratch: string, cc = "cc"): Promise<string> {
  const out = join(scratch, "floor");
  try {
    await run(cc, ["-O2", "-Wall", "-Wextra", "-o", out, benchSource("floor.c")]);
  } catch (err) {
    throw new Error(`cannot compile the C floor with \`${cc}\`: ${(err as Error).message}`);
  }
  return out;
}

/**
 * The Python and filelock versions, or a clear error when either is
 * missing. `filelockDir` must hold the `filelock` package itself: an
 * interpreter-wide copy of another version does not stand in for it.
 */
export async function checkPython(python: string, filelockDir: string): Promise<string> {
  const probe = "import filelock, os, platform, sys; print(platform.python_version(), filelock.__version__, os.path.dirname(os.path.dirname(os.path.abspath(filelock.__file__))))";
  let stdout: string;
  try {
    ({ stdout } = await run(python, ["-c", probe], { env: { ...process.env, PYTHONPATH: filelockDir, PYTHONDONTWRITEBYTECODE: "1" } }));
  } catch (err) {
    throw new Error(`cannot run \`${python}\` with the filelock package from ${filelockDir}: ${(err as Error).message}`);
  }
  const [py, fl, from] = stdout.trim().split(" ");
  if (from !== resolve(filelockDir)) throw new Error(`no filelock package in ${filelockDir} (\`${python}\` found one in ${from ?? "?"}); pass --filelock <dir>`);
  return `Python ${py ?? "?"}, filelock ${fl ?? "?"}`;
}

// f_type values of statfs(2) for the filesystems a lab machine is likely on.
const FS_TYPES: Record<number, string> = {
  0xef53: "ext4",
  0x58465342: "xfs",
  0x9123683e: "btrfs",
  0x01021994: "tmpfs",
  0x794c7630: "overlayfs",
  0x2fc12fc1: "zfs",
  0x6969: "nfs",
  0xff534d42: "cifs",
};

/** The filesystem type of `dir`, by name when known. */
export async function fsType(dir: string): Promise<string> {
  const { type } = await statfs(dir);
  return FS_TYPES[type] ?? `0x${type.toString(16)}`;
}

/** One line about the machine for the report header. */
export async function machineLine(dir: string, pythonVersion: string): Promise<string> {
  const cpu = cpus();
  return [
    `Node ${process.version}`,
    pythonVersion,
    `${process.platform} ${release()}`,
    `${cpu.length} CPU${cpu.length === 1 ? "" : "s"} (${cpu[0]?.model.trim() ?? "unknown"})`,
    `${await fsType(dir)} at ${dir}`,
  ].join(" · ");
}
