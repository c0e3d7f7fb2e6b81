/**
 * Small real filesystems for fault tests: a size-limited tmpfs (a disk that
 * fills up) that can be remounted read-only (a read-only NAS). Needs root
 * and a kernel that lets this process mount (the "mount" capability of
 * helpers/capabilities.ts); callers say in the test name when they fall
 * back to injected faults.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";

function run(args: string[]): string | undefined {
  const r = spawnSync(args[0] ?? "", args.slice(1), { encoding: "utf8" });
  if (r.error !== undefined) return r.error.message;
  if (r.status !== 0) return (r.stderr.split("\n")[0] ?? "").trim() || `exit ${r.status}`;
  return undefined;
}

/**
 * Mount a tmpfs of `sizeKiB` on a fresh directory, unmounted and removed when
 * `t` ends. With `inodes`, the filesystem holds at most that many files and
 * folders (its root included): a disk that runs out of inodes.
 */
export async function mountTmpfs(t: TestContext, sizeKiB: number, options: { inodes?: number } = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "exlab-tmpfs-"));
  const inodes = options.inodes === undefined ? "" : `,nr_inodes=${options.inodes}`;
  const refused = run(["mount", "-t", "tmpfs", "-o", `size=${sizeKiB}k,mode=0755${inodes}`, "tmpfs", dir]);
  if (refused !== undefined) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`cannot mount a tmpfs on ${dir}: ${refused}`);
  }
  t.after(async () => {
    const stuck = run(["umount", dir]);
    if (stuck !== undefined) throw new Error(`cannot unmount ${dir}: ${stuck}`);
    await rm(dir, { recursive: true, force: true });
  });
  return dir;
}

/** Remount a tmpfs from {@link mountTmpfs} read-only. */
export function remountReadOnly(dir: string): void {
  const refused = run(["mount", "-o", "remount,ro", dir]);
  if (refused !== undefined) throw new Error(`cannot remount ${dir} read-only: ${refused}`);
}
