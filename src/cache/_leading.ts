/**
 * Reading only the first bytes of a file that is too large to read whole, to
 * salvage what a record says at its start (its `first_seen_at`).
 */
import { constants } from "node:fs";
import type { FileSystem } from "../fs/_fs.js";

/** Enough for every field this version writes before any carried-over extras. */
export const LEADING_BYTES = 64 * 1024;

/**
 * Up to `n` bytes from the start of `path`, never following a final symlink.
 * The caller holds the file's lock, so the file is one writer's whole version.
 */
export async function readLeadingBytes(path: string, fs: FileSystem, n = LEADING_BYTES): Promise<Buffer> {
  const fh = await fs.open(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  try {
    const buf = Buffer.alloc(n);
    let len = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, len, n - len, len);
      if (bytesRead === 0) break;
      len += bytesRead;
      if (len === n) break;
    }
    return buf.subarray(0, len);
  } finally {
    await fh.close();
  }
}
