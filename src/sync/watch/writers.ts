/**
 * Whether some process still holds the config open for writing: a writer
 * that pauses mid-save (a script, a network editor, a slow disk) leaves a
 * file that stays quiet, and may be valid YAML, but is not finished.
 *
 * Only Linux tells, through `/proc`: each process's open files
 * (`/proc/<pid>/fd/<n>`, the same device and inode as the config) and how
 * each was opened (`flags` in `/proc/<pid>/fdinfo/<n>`, write-only or
 * read-write). What this cannot see: the processes of other users when not
 * running as root (their `/proc/<pid>/fd` is closed to us), processes in
 * another PID namespace (another container), and writers on other machines
 * of a network filesystem. Elsewhere the answer is always "no": the quiet
 * period is then all there is.
 *
 * @module
 */
import { readFile, readdir, readlink, stat } from "node:fs/promises";

/** `O_ACCMODE`: the access bits of the flags; 0 is read-only. */
const ACCESS_MODE = 0o3;

/** Whether one descriptor of `pid` is `target`, opened for writing. */
async function writes(pid: string, fd: string, target: { dev: number; ino: number }): Promise<boolean> {
  const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => "");
  // Sockets, pipes and the like (`socket:[…]`, `anon_inode:…`) are not files.
  if (!link.startsWith("/")) return false;
  const st = await stat(`/proc/${pid}/fd/${fd}`).catch(() => undefined);
  if (st === undefined || st.dev !== target.dev || st.ino !== target.ino) return false;
  const info = await readFile(`/proc/${pid}/fdinfo/${fd}`, "utf8").catch(() => "");
  const flags = /^flags:\s*([0-7]+)$/m.exec(info)?.[1];
  return flags !== undefined && (Number.parseInt(flags, 8) & ACCESS_MODE) !== 0;
}

/**
 * Whether a process other than this one holds `file` (its target, when it
 * is a symbolic link) open for writing, as far as this system shows.
 *
 * @returns `false` when none is seen, or when the system cannot tell.
 * @example
 * ```ts
 * if (await heldForWriting("/etc/exlab-wizard/config.yaml")) await wait();
 * ```
 */
export async function heldForWriting(file: string): Promise<boolean> {
  if (process.platform !== "linux") return false;
  const target = await stat(file).catch(() => undefined);
  if (target === undefined) return false;
  const pids = await readdir("/proc").catch(() => [] as string[]);
  for (const pid of pids) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    // Gone, or another user's: nothing to see.
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    const found = await Promise.all(fds.map((fd) => writes(pid, fd, target)));
    if (found.includes(true)) return true;
  }
  return false;
}
