/**
 * Snapshots of a directory tree, to prove that an operation touched nothing:
 * every entry with its kind, mode, size, mtime, and its bytes or link target.
 * Symbolic links are recorded, never followed.
 */
import { createHash } from "node:crypto";
import { lstat, readFile, readdir, readlink } from "node:fs/promises";
import { join } from "node:path";

/** One entry of a snapshot. */
export interface EntryState {
  kind: "file" | "dir" | "symlink" | "other";
  mode: number;
  mtimeNs: bigint;
  /** sha256 of a file's bytes, a link's target, "" otherwise. */
  content: string;
}

/** Every entry under `root` (and `root` itself as ""), by relative path. */
export async function snapshotTree(root: string): Promise<Map<string, EntryState>> {
  const out = new Map<string, EntryState>();
  const visit = async (rel: string): Promise<void> => {
    const abs = rel === "" ? root : join(root, rel);
    let st;
    try {
      st = await lstat(abs, { bigint: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
      throw err;
    }
    const base = { mode: Number(st.mode), mtimeNs: st.mtimeNs };
    if (st.isSymbolicLink()) {
      out.set(rel, { kind: "symlink", ...base, content: await readlink(abs) });
    } else if (st.isFile()) {
      out.set(rel, { kind: "file", ...base, content: createHash("sha256").update(await readFile(abs)).digest("hex") });
    } else if (st.isDirectory()) {
      out.set(rel, { kind: "dir", ...base, content: "" });
      for (const name of (await readdir(abs)).sort()) await visit(rel === "" ? name : join(rel, name));
    } else {
      out.set(rel, { kind: "other", ...base, content: "" });
    }
  };
  await visit("");
  return out;
}

/** The entries of a snapshot as a sorted array, for `deepEqual` diffs that read well. */
export function listTree(snapshot: Map<string, EntryState>): [string, EntryState][] {
  return [...snapshot].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
