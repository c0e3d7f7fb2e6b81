/**
 * `node:fs/promises` handed in as an injected FileSystem: the write and
 * read paths then make every call through it, one call at a time (the
 * reference path the native one-job path is compared with).
 */
import * as fsp from "node:fs/promises";
import type { FileSystem } from "exlab-cache";

/** Node's own fs, passed explicitly (a new object, so it is not the default). */
export const callByCallFs: FileSystem = { ...fsp };
