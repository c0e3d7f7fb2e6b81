/**
 * The shape of the filesystem a caller may hand in (the `fs` option): a
 * fault-injecting wrapper in tests, an instrumented one when measuring. Every
 * step of reads and writes then goes through it, one call at a time.
 *
 * @module
 */
import type * as fsp from "node:fs/promises";

/**
 * The subset of `node:fs/promises` this package uses.
 *
 * @example
 * ```ts
 * import * as fsp from "node:fs/promises";
 * const traced: FileSystem = { ...fsp, rename: async (a, b) => { console.log("rename", a); return fsp.rename(a, b); } };
 * ```
 */
export interface FileSystem {
  open: typeof fsp.open;
  rename: typeof fsp.rename;
  unlink: typeof fsp.unlink;
  mkdir: typeof fsp.mkdir;
  readdir: typeof fsp.readdir;
  lstat: typeof fsp.lstat;
  link: typeof fsp.link;
}
