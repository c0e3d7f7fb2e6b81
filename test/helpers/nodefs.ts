/**
 * `node:fs/promises` handed in as an injected FileSystem: the write and
 * read paths then make every call through it, one call at a time (the
 * reference path the native one-job path is compared with).
 */
import * as fsp from "node:fs/promises";
import type { FileSystem } from "exlab-cache";

/** Node's own fs, passed explicitly. */
export const callByCallFs: FileSystem = {
  open: fsp.open,
  rename: fsp.rename,
  unlink: fsp.unlink,
  mkdir: fsp.mkdir,
  readdir: fsp.readdir,
  lstat: fsp.lstat,
  link: fsp.link,
};
