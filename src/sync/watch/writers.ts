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
 * A system may hold hundreds of thousands of descriptors, most on files of
 * no interest. Each is first judged by the name its link gives (the path as
 * its process sees it), which costs one `readlink`; only a name that could
 * be the config is looked at further (`stat`, `fdinfo`). A name could be
 * the config when it is the config's real path, or has the config's file
 * name (the same file seen through a bind mount of a folder, from another
 * mount namespace, or under a name since removed, `… (deleted)`), or
 * is any file at all when the config has more than one hard link (a writer
 * may use another of its names). Not seen therefore: a writer that reaches
 * the file through a bind mount of the file itself under another name.
 *
 * The look is bounded: one process at a time, its descriptors a slice at a
 * time (the rest of the process runs between slices), at most {@link WRITER_SCAN_MAX_ENTRIES} descriptors and
 * {@link WRITER_SCAN_BUDGET_MS} per look, and it stops when its signal is
 * aborted. A look that runs out of its budget cannot tell, and says so.
 *
 * @module
 */
import { opendirSync, readFileSync, readlinkSync, statSync, type Dir } from "node:fs";
import { readdir, realpath, stat } from "node:fs/promises";
import { basename } from "node:path";

/** `O_ACCMODE`: the access bits of the flags; 0 is read-only. */
const ACCESS_MODE = 0o3;

/** Descriptors looked at, at most, in one look. */
export const WRITER_SCAN_MAX_ENTRIES = 200_000;

/**
 * Time one look may take, at most, in milliseconds. A look takes tens of
 * milliseconds; the descriptor cap bounds its work, so this is a guard
 * against a stalled /proc, wide enough that a busy machine (a look took
 * over 1 s on two cores running two test suites) still gets its answer.
 */
export const WRITER_SCAN_BUDGET_MS = 5_000;

/** Descriptors looked at between two turns of the rest of the process. */
const SLICE = 256;

/** What the kernel appends to the name of a file opened under a name since removed. */
const DELETED = " (deleted)";

/** How far one look may go, and what stops it. */
export interface WriterScan {
  /** Stops the look; it then answers `false`. */
  signal?: AbortSignal | undefined;
  /** @default {@link WRITER_SCAN_BUDGET_MS} */
  budgetMs?: number | undefined;
  /** @default {@link WRITER_SCAN_MAX_ENTRIES} */
  maxEntries?: number | undefined;
}

/** The file looked for. */
interface Target {
  readonly dev: number;
  readonly ino: number;
  /** Its real path. */
  readonly path: string;
  /** The last part of its real path. */
  readonly name: string;
  /** Whether it has other names: then any file may be it. */
  readonly linked: boolean;
}

/** Whether the link `link` of a descriptor may name `target`, judged by the name alone. */
function mayBe(link: string, target: Target): boolean {
  // Sockets, pipes and the like (`socket:[…]`, `anon_inode:…`) are not files.
  if (!link.startsWith("/")) return false;
  if (link === target.path || target.linked) return true;
  const name = link.endsWith(DELETED) ? link.slice(0, -DELETED.length) : link;
  return basename(name) === target.name;
}

/** Whether one descriptor of `pid`, whose link may name `target`, is it, opened for writing. */
function writes(pid: string, fd: string, target: Target): boolean {
  try {
    const st = statSync(`/proc/${pid}/fd/${fd}`);
    if (st.dev !== target.dev || st.ino !== target.ino) return false;
    const flags = /^flags:\s*([0-7]+)$/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, "utf8"))?.[1];
    return flags !== undefined && (Number.parseInt(flags, 8) & ACCESS_MODE) !== 0;
  } catch {
    // Closed meanwhile, or the process ended.
    return false;
  }
}

/** The link of one descriptor of `pid`, or `""` when it is gone. */
function linkOf(pid: string, fd: string): string {
  try {
    return readlinkSync(`/proc/${pid}/fd/${fd}`);
  } catch {
    return "";
  }
}

/** Let signals, timers and output through between two slices of a look. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** What one look has left, shared by the processes it looks through. */
class Budget {
  #entries: number;
  readonly #until: number;
  readonly #signal: AbortSignal | undefined;
  /** Set when the look ran out of entries or time. */
  spent = false;
  found = false;
  constructor(scan: WriterScan) {
    this.#entries = scan.maxEntries ?? WRITER_SCAN_MAX_ENTRIES;
    this.#until = Date.now() + (scan.budgetMs ?? WRITER_SCAN_BUDGET_MS);
    this.#signal = scan.signal;
  }
  /** Whether the look goes on. */
  get going(): boolean {
    return !this.found && !this.spent && this.#signal?.aborted !== true;
  }
  /** Take `n` descriptors from the budget; `false`, and spent, when there are not that many left or the time is up. */
  take(n: number): boolean {
    if (!this.going) return false;
    if (n > this.#entries || Date.now() > this.#until) {
      this.spent = true;
      return false;
    }
    this.#entries -= n;
    return true;
  }
}

/**
 * Look through the descriptors of `pid` for `target` opened for writing, a
 * slice at a time. `/proc` answers from memory, at once: each slice is read
 * in one go, and the look lets the rest of the process run between slices.
 */
async function lookThrough(pid: string, target: Target, budget: Budget): Promise<void> {
  let dir: Dir;
  try {
    dir = opendirSync(`/proc/${pid}/fd`, { bufferSize: SLICE });
  } catch {
    // Gone, or another user's: nothing to see.
    return;
  }
  try {
    for (;;) {
      const fds: string[] = [];
      for (let entry = dir.readSync(); entry !== null; entry = fds.length < SLICE ? dir.readSync() : null) fds.push(entry.name);
      if (fds.length === 0 || !budget.take(fds.length)) return;
      if (fds.some((fd) => mayBe(linkOf(pid, fd), target) && writes(pid, fd, target))) {
        budget.found = true;
        return;
      }
      await nextTurn();
    }
  } catch {
    // The process ended while its descriptors were read.
  } finally {
    dir.closeSync();
  }
}

/**
 * Whether a process other than this one holds `file` (its target, when it
 * is a symbolic link) open for writing, as far as this system shows.
 *
 * @returns `true` when one is seen; `false` when none is, when the system
 *   cannot tell (not Linux), or when the look was stopped by its signal;
 *   `undefined` when the look ran out of its budget before it could tell.
 * @example
 * ```ts
 * if (await heldForWriting("/etc/exlab-wizard/config.yaml", { signal })) await wait();
 * ```
 */
export async function heldForWriting(file: string, scan: WriterScan = {}): Promise<boolean | undefined> {
  if (process.platform !== "linux") return false;
  const st = await stat(file).catch(() => undefined);
  const path = await realpath(file).catch(() => undefined);
  if (st === undefined || path === undefined) return false;
  const target: Target = { dev: st.dev, ino: st.ino, path, name: basename(path), linked: st.nlink > 1 };
  const pids = (await readdir("/proc").catch(() => [] as string[])).filter((pid) => /^\d+$/.test(pid) && Number(pid) !== process.pid);
  const budget = new Budget(scan);
  for (const pid of pids) {
    if (!budget.going) break;
    await lookThrough(pid, target, budget);
  }
  if (budget.found) return true;
  return budget.spent && scan.signal?.aborted !== true ? undefined : false;
}
