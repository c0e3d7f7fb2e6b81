/**
 * The filesystem calls the write and read paths make, gathered in one object
 * so a caller can hand in another implementation (a fault-injecting wrapper in
 * tests, an instrumented one when measuring).
 */
import * as fsp from "node:fs/promises";
import type { FileSystem } from "./filesystem.js";

export type { FileSystem } from "./filesystem.js";

/** Node's own `fs/promises`. */
export const nodeFileSystem: FileSystem = {
  open: fsp.open,
  rename: fsp.rename,
  unlink: fsp.unlink,
  mkdir: fsp.mkdir,
  readdir: fsp.readdir,
  lstat: fsp.lstat,
  link: fsp.link,
};

/** Whether anything (even a dangling symlink) is at `path`; other errors throw. */
export async function pathExists(fs: FileSystem, path: string): Promise<boolean> {
  try {
    await fs.lstat(path);
    return true;
  } catch (err) {
    if (typeof err === "object" && err !== null && (err as { code?: unknown }).code === "ENOENT") return false;
    throw err;
  }
}
