/** Observing this process's open files through /proc, to order steps without sleeping on time. */
import { readFile, readdir, readlink } from "node:fs/promises";

/** Targets of this process's open descriptors, as the kernel names them. */
export async function ownFdTargets(): Promise<string[]> {
  const out: string[] = [];
  for (const fd of await readdir("/proc/self/fd")) {
    try {
      out.push(await readlink(`/proc/self/fd/${fd}`));
    } catch {
      // closed between readdir and readlink
    }
  }
  return out;
}

/** Resolve once this process holds a descriptor whose target satisfies `match`. */
export async function waitForOwnFd(match: (target: string) => boolean): Promise<void> {
  for (;;) {
    if ((await ownFdTargets()).some(match)) return;
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Names of this process's threads (Linux `comm`). */
export async function ownThreadNames(): Promise<string[]> {
  const out: string[] = [];
  for (const tid of await readdir("/proc/self/task")) {
    try {
      out.push((await readFile(`/proc/self/task/${tid}/comm`, "utf8")).trim());
    } catch {
      // exited between readdir and read
    }
  }
  return out;
}

/** Resolve once this process has a thread named `name` (e.g. a lock waiter). */
export async function waitForThread(name: string): Promise<void> {
  while (!(await ownThreadNames()).includes(name)) await new Promise((r) => setTimeout(r, 2));
}
