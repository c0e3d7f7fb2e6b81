/**
 * `node:fs/promises` handed in as an injected FileSystem: reads and writes
 * then run on the node:fs backend, every call through it, one at a time
 * (the reference the native backend is compared with).
 */
import * as fsp from "node:fs/promises";
import type { FileSystem } from "exlab-cache";

/** Node's own fs, passed explicitly: any `fs` option selects the node:fs backend. */
export const callByCallFs: FileSystem = { ...fsp };
