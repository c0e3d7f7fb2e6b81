/**
 * What `exlab-cache doctor` examines, each check returning facts and, when
 * it fails, a problem with its cause and the fix: the native binary, a lock
 * self-test between two processes, and a root's filesystem and
 * writability.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, statfs } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { errnoCode } from "../errors.js";
import { atomicWriteFile } from "../fs/atomic.js";
import { unsafeFilesystemOf } from "../fs/fstype.js";
import { withFileLock } from "../fs/lock.js";
import { binaryDiagnosis, flockBackend, nativeAddonPath } from "../fs/_native.js";

/** A check that failed: what, why, and what to do. */
export interface DoctorProblem {
  /** Stable: `native_missing`, `native_load_failed`, `lock_not_excluded`, `lock_failed`, `unsafe_filesystem`, `not_writable`. */
  code: string;
  message: string;
  /** The exact fix, as commands to run or a step to take. */
  fix: string;
}

/** The native binary. */
export interface NativeFacts {
  ok: boolean;
  /** The file loaded (or that failed to load), absolute; null when none was found. */
  path: string | null;
  /** `prebuilt` (shipped in the package), `local build` (node-gyp), `EXLAB_CACHE_PREBUILD`, or null. */
  source: string | null;
  /** How a contended lock wait waits: `signal`, `poll-thread`, `poll`. */
  wait_method: string | null;
}

const PACKAGE_ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** The toolchain `npm rebuild` needs here. */
function toolchain(): string {
  if (process.platform === "darwin") return "the Xcode command line tools (`xcode-select --install`)";
  if (process.platform === "win32") return "Visual Studio Build Tools with the C++ workload, and Python 3";
  return "a C compiler, make and Python 3 (Debian/Ubuntu: `apt-get install build-essential python3`)";
}

function rebuildFix(): string {
  return [
    "run `npm rebuild exlab-cache` (it builds the binary for this machine and needs " + toolchain() + ")",
    "if your package manager skips install scripts, approve them for exlab-cache first (pnpm: `pnpm approve-builds`; Bun: `bun pm trust exlab-cache`; npm: do not use --ignore-scripts)",
  ].join("; ");
}

/**
 * Load the native binary as writes do, and name where it came from, or why
 * it could not be loaded.
 *
 * @example
 * ```ts
 * const { facts, problem } = checkNative(process.env);
 * ```
 */
export function checkNative(env: Readonly<Record<string, string | undefined>>): { facts: NativeFacts; problem?: DoctorProblem } {
  let path: string;
  try {
    path = nativeAddonPath();
  } catch (err) {
    const reason = err instanceof Error ? (err.message.split("\n")[0] ?? err.message) : String(err);
    const where = `${process.platform}-${process.arch}`;
    const { cause, fix } = binaryDiagnosis();
    return {
      facts: { ok: false, path: null, source: null, wait_method: null },
      problem: { code: "native_missing", message: `No native binary for ${where}: ${cause} (${reason.trim()})`, fix },
    };
  }
  const source = env["EXLAB_CACHE_PREBUILD"] !== undefined ? "EXLAB_CACHE_PREBUILD" : path.startsWith(join(PACKAGE_ROOT, "build")) ? "local build" : "prebuilt";
  try {
    const backend = flockBackend();
    return { facts: { ok: true, path, source, wait_method: backend.waitMethod } };
  } catch (err) {
    const reason = err instanceof Error ? (err.message.split("\n")[0] ?? err.message) : String(err);
    const diagnosis = binaryDiagnosis();
    return {
      facts: { ok: false, path, source, wait_method: null },
      problem: { code: "native_load_failed", message: `The native binary ${path} cannot be loaded: ${reason}; ${diagnosis.cause}`, fix: diagnosis.fix },
    };
  }
}

/** The lock self-test. */
export interface LockFacts {
  ok: boolean;
  /** The scratch file locked (removed afterwards). */
  file: string;
  /** Whether a second process was refused the lock while this one held it. */
  excluded: boolean | null;
  /** Whether the second process got the lock once it was released. */
  acquired_after: boolean | null;
}

function probe(file: string): Promise<{ result: string; code?: string; message?: string }> {
  const script = fileURLToPath(new URL("./_lock-probe.js", import.meta.url));
  return new Promise((resolve) => {
    execFile(process.execPath, [script, file], { timeout: 30_000 }, (err, stdout) => {
      try {
        resolve(JSON.parse(stdout) as { result: string });
      } catch {
        resolve({ result: "error", code: errnoCode(err) ?? "no_answer", message: err instanceof Error ? err.message : "the probe process printed nothing" });
      }
    });
  });
}

/**
 * Hold the lock of a scratch file in `dir` and have a second process try to
 * take it: it must be excluded; once released, it must get it.
 *
 * @example
 * ```ts
 * const { facts } = await checkLock(scratchDir); // facts.excluded, facts.acquired_after
 * ```
 */
export async function checkLock(dir: string): Promise<{ facts: LockFacts; problem?: DoctorProblem }> {
  const file = join(dir, "probe.json");
  const facts: LockFacts = { ok: false, file, excluded: null, acquired_after: null };
  try {
    const held = await withFileLock(file, () => probe(file), { timeoutMs: 5_000 });
    facts.excluded = held.result === "excluded";
    if (held.result === "error") return { facts, problem: { code: "lock_failed", message: `The second process could not try the lock: ${held.message ?? held.code ?? "?"}`, fix: rebuildFix() } };
    const after = await probe(file);
    facts.acquired_after = after.result === "acquired";
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return { facts, problem: { code: "lock_failed", message: `Cannot take a lock here: ${reason}`, fix: rebuildFix() } };
  }
  facts.ok = facts.excluded && facts.acquired_after;
  if (!facts.ok) {
    return {
      facts,
      problem: {
        code: "lock_not_excluded",
        message: facts.excluded ? "A second process could not take the lock even after it was released" : "A second process took the lock while this one held it: writers would not exclude each other",
        fix: "use a local filesystem for the lab tree, or report this machine's platform and filesystem as a bug",
      },
    };
  }
  return { facts };
}

// Linux statfs f_type of common local filesystems, for the report only.
const LOCAL_NAMES = new Map<number, string>([
  [0xef53, "ext4"],
  [0x58465342, "xfs"],
  [0x9123683e, "btrfs"],
  [0x01021994, "tmpfs"],
  [0x794c7630, "overlay"],
  [0x2fc12fc1, "zfs"],
  [0x2011bab0, "exfat"],
  [0x4d44, "vfat"],
  [0x5346544e, "ntfs"],
  [0xf2f52010, "f2fs"],
]);

/** A root's filesystem. */
export interface FilesystemFacts {
  /** The type as the OS reports it, e.g. `ext4 (0xef53)`; null where it cannot be read. */
  type: string | null;
  /** `local`, `nfs`, `smb`, `fuse`, or `unknown` (not Linux: not judged). */
  kind: string;
  /** Whether `flock` excludes every writer there (false on NFS, SMB, FUSE). */
  flock_safe: boolean;
}

/**
 * The filesystem `root` is on, and whether its locks can be trusted.
 *
 * @throws the operating-system error when `root` cannot be examined.
 * @example
 * ```ts
 * const { facts } = await checkFilesystem("/data/lab"); // { type: "ext4 (0xef53)", kind: "local", flock_safe: true }
 * ```
 */
export async function checkFilesystem(root: string): Promise<{ facts: FilesystemFacts; problem?: DoctorProblem }> {
  if (process.platform !== "linux") return { facts: { type: null, kind: "unknown", flock_safe: true } };
  const unsafe = await unsafeFilesystemOf(root);
  if (unsafe !== undefined) {
    return {
      facts: { type: unsafe.fsType, kind: unsafe.kind, flock_safe: false },
      problem: {
        code: "unsafe_filesystem",
        message: `${root} is on a ${unsafe.kind} filesystem (${unsafe.fsType}): file locks there do not exclude writers on other machines or other views of the folder`,
        fix: "write from the machine that holds the disk, or keep the lab tree on a local filesystem and copy it to the share",
      },
    };
  }
  const type = (await statfs(root)).type >>> 0;
  const hex = `0x${type.toString(16)}`;
  return { facts: { type: `${LOCAL_NAMES.get(type) ?? "local"} (${hex})`, kind: "local", flock_safe: true } };
}

/**
 * Make a scratch folder in `root` and write a file there as the writer
 * does (temp file, fsync, rename); `use` runs on the folder before it is
 * removed.
 *
 * @example
 * ```ts
 * const { writable, result } = await checkWritable("/data/lab", (dir) => checkLock(dir));
 * ```
 */
export async function checkWritable<T>(root: string, use: (dir: string) => Promise<T>): Promise<{ writable: boolean; result?: T; problem?: DoctorProblem }> {
  let dir: string;
  try {
    dir = await mkdtemp(join(root, ".exlab-cache-doctor-"));
  } catch (err) {
    return { writable: false, problem: notWritable(root, err) };
  }
  try {
    await atomicWriteFile(join(dir, "write-probe.json"), "{}\n");
    return { writable: true, result: await use(dir) };
  } catch (err) {
    return { writable: false, problem: notWritable(root, err) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function notWritable(root: string, err: unknown): DoctorProblem {
  const code = errnoCode(err);
  const reason = err instanceof Error ? err.message : String(err);
  const fix =
    code === "EROFS"
      ? "the filesystem is mounted read-only: remount it read-write, or write from a machine that has it read-write"
      : code === "EACCES" || code === "EPERM"
        ? "give this account write access to the folder (usually: add it to the lab's group, with the folders group-writable and setgid; see docs/shared-trees.md)"
        : "check the disk and the mount";
  return { code: "not_writable", message: `Cannot write in ${root}: ${reason}`, fix };
}
