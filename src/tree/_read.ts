/**
 * Reading one file whole, once, with a size bound, without ever blocking on
 * a FIFO or a device: opened non-blocking, checked to be a regular file on
 * the open descriptor, then read.
 *
 * @module
 */
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";

const BASE = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

/** A file's bytes, or why there are none. */
export type ReadOutcome =
  | { readonly kind: "bytes"; readonly bytes: Buffer }
  | { readonly kind: "absent" }
  | { readonly kind: "too_large"; readonly size: number }
  | { readonly kind: "not_regular" }
  | { readonly kind: "error"; readonly code: string; readonly message: string };

/**
 * Read `path` if it is a regular file of at most `maxBytes`.
 *
 * @param follow whether a final symbolic link is followed.
 */
export function readBounded(path: string, maxBytes: number, follow: boolean): ReadOutcome {
  let fd: number;
  try {
    fd = openSync(path, follow ? BASE : BASE | (constants.O_NOFOLLOW ?? 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "EIO";
    if (code === "ENOENT" || code === "ENOTDIR") return { kind: "absent" };
    if (code === "ELOOP" || code === "EISDIR" || code === "ENXIO") return { kind: "not_regular" };
    return { kind: "error", code, message: (err as Error).message };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { kind: "not_regular" };
    if (st.size > maxBytes) return { kind: "too_large", size: st.size };
    // One read for the size seen, then keep reading in case the file grew, within the bound.
    let buf = Buffer.allocUnsafe(Math.min(maxBytes + 1, st.size + 1));
    let total = 0;
    for (;;) {
      if (total === buf.length) {
        if (buf.length > maxBytes) return { kind: "too_large", size: total };
        const bigger = Buffer.allocUnsafe(Math.min(maxBytes + 1, buf.length * 2));
        buf.copy(bigger, 0, 0, total);
        buf = bigger;
      }
      const n = readSync(fd, buf, total, buf.length - total, null);
      if (n === 0) break;
      total += n;
    }
    if (total > maxBytes) return { kind: "too_large", size: total };
    return { kind: "bytes", bytes: buf.subarray(0, total) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "EIO";
    if (code === "EISDIR") return { kind: "not_regular" };
    return { kind: "error", code, message: (err as Error).message };
  } finally {
    closeSync(fd);
  }
}
