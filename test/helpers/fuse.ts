/**
 * FUSE mounts for the unsafe-filesystem tests: a bindfs view of a folder and
 * an exfat-fuse image. Mounting needs root and /dev/fuse (CI runs as root and
 * .ci/run installs bindfs, exfat-fuse and fuse3): tests using them need the
 * "fuse" capability (helpers/capabilities.ts).
 */
import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
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
 * A fresh folder whose clean-up runs `undo` steps first (unmount, detach)
 * and removes it only then: one hook, so the order cannot be lost.
 */
async function scratch(t: TestContext): Promise<{ base: string; undo: (() => void)[] }> {
  const base = await mkdtemp(join(tmpdir(), "exlab-fuse-"));
  const undo: (() => void)[] = [];
  t.after(async () => {
    for (const step of undo.reverse()) step();
    await rm(base, { recursive: true, force: true });
  });
  return { base, undo };
}

function unmount(dir: string): void {
  // umount works for root on any FUSE mount; fusermount3 is fuse3's own way.
  if (run(["umount", dir]) !== undefined && run(["fusermount3", "-u", dir]) !== undefined) throw new Error(`cannot unmount ${dir}`);
}

/** A bindfs view of a fresh folder: `{ source, view }`, unmounted when `t` ends. */
export async function bindfsMount(t: TestContext): Promise<{ source: string; view: string }> {
  const { base, undo } = await scratch(t);
  const source = join(base, "source");
  const view = join(base, "view");
  await mkdir(source);
  await mkdir(view);
  const refused = run(["bindfs", source, view]);
  if (refused !== undefined) throw new Error(`bindfs ${source} ${view}: ${refused}`);
  undo.push(() => unmount(view));
  return { source, view };
}

/**
 * A 16 MiB exFAT image on a loop device (exfat-fuse wants a block device),
 * mounted through exfat-fuse; unmounted and detached when `t` ends.
 */
export async function exfatMount(t: TestContext): Promise<string> {
  const { base, undo } = await scratch(t);
  const image = join(base, "disk.img");
  const mnt = join(base, "mnt");
  await mkdir(mnt);
  for (const step of [["truncate", "-s", "16M", image], ["mkfs.exfat", image]]) {
    const refused = run(step);
    if (refused !== undefined) throw new Error(`${step.join(" ")}: ${refused}`);
  }
  const loop = spawnSync("losetup", ["--find", "--show", image], { encoding: "utf8" });
  if (loop.status !== 0) throw new Error(`losetup ${image}: ${loop.stderr.trim()}`);
  const device = loop.stdout.trim();
  undo.push(() => void run(["losetup", "-d", device]));
  const refused = run(["mount.exfat-fuse", device, mnt]);
  if (refused !== undefined) throw new Error(`mount.exfat-fuse ${device} ${mnt}: ${refused}`);
  undo.push(() => unmount(mnt));
  return mnt;
}
