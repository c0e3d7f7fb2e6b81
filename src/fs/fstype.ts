/**
 * Telling whether a path sits on a filesystem where `flock(2)` does not
 * exclude every writer: NFS and SMB/CIFS (a lock taken on one client is not
 * seen by another) and FUSE (the lock stays inside the mount: a FUSE view and
 * its backing folder are two different files to the kernel).
 *
 * On Linux the answer comes from `statfs(2)` `f_type` (Node's `fs.statfs`
 * `type`), compared with the kernel's magic numbers. macOS reports the
 * filesystem by name (`f_fstypename`), which Node's `fs.statfs` does not
 * expose; there the `type` number is not stable, so nothing is detected.
 *
 * @module
 */
import { statfs } from "node:fs/promises";
import { dirname } from "node:path";
import { errnoCode } from "../errors.js";

/** The kinds of filesystem where the sidecar lock cannot be trusted. */
export type UnsafeFilesystemKind = "nfs" | "smb" | "fuse";

/** A filesystem found where locks do not exclude every writer. */
export interface UnsafeFilesystem {
  /** `nfs`, `smb` or `fuse`. */
  readonly kind: UnsafeFilesystemKind;
  /** The filesystem type as the OS reports it, e.g. `fuse (0x65735546)`. */
  readonly fsType: string;
  /**
   * Tells filesystems apart within a process: the type with the mount's
   * fixed geometry (block size, total blocks and inodes). `statfs` gives no
   * device number, and one more `stat` per folder is what a tree walk avoids.
   */
  readonly key: string;
  /** The existing path that was examined (the path itself or its nearest existing parent). */
  readonly examined: string;
}

// Linux statfs f_type magic numbers (linux/magic.h and the filesystems' sources).
const LINUX_MAGIC = new Map<number, [UnsafeFilesystemKind, string]>([
  [0x6969, ["nfs", "nfs"]],
  [0x517b, ["smb", "smbfs"]],
  [0xff534d42, ["smb", "cifs"]],
  [0xfe534d42, ["smb", "smb2"]],
  [0x65735546, ["fuse", "fuse"]],
]);

/** The kind of filesystem a Linux `statfs` `f_type` names, when it is one where locks do not exclude. */
export function classifyFsType(type: number): { kind: UnsafeFilesystemKind; name: string } | undefined {
  const hit = LINUX_MAGIC.get(type >>> 0);
  return hit === undefined ? undefined : { kind: hit[0], name: hit[1] };
}

/**
 * Whether `path` (or, when it does not exist yet, its nearest existing
 * parent: where it would be created) is on NFS, SMB/CIFS or FUSE.
 *
 * @returns the filesystem when it is one of those, else undefined (also on
 *   platforms where the type cannot be read, see the module note).
 * @throws the operating-system error when no parent of `path` can be examined.
 * @example
 * ```ts
 * const fs = await unsafeFilesystemOf("/mnt/nas/lab/X/.exlab-wizard/equipment.json");
 * if (fs !== undefined) console.warn(`locks do not exclude on ${fs.fsType}`);
 * ```
 */
export async function unsafeFilesystemOf(path: string): Promise<UnsafeFilesystem | undefined> {
  if (process.platform !== "linux") return undefined;
  for (let p = path; ; p = dirname(p)) {
    try {
      const sf = await statfs(p);
      const hit = classifyFsType(sf.type);
      if (hit === undefined) return undefined;
      const type = `0x${(sf.type >>> 0).toString(16)}`;
      return { kind: hit.kind, fsType: `${hit.name} (${type})`, key: `${type}:${sf.bsize}:${sf.blocks}:${sf.files}`, examined: p };
    } catch (err) {
      const code = errnoCode(err);
      if ((code !== "ENOENT" && code !== "ENOTDIR") || dirname(p) === p) throw err;
    }
  }
}
