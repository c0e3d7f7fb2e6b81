/**
 * Getting the bytes of a `config.yaml` off the disk, and only from a regular
 * file of a bounded size: a FIFO would block the read until some other
 * process writes to it (and signals with it), a device such as `/dev/zero`
 * never ends.
 *
 * @module
 */
import { constants, type BigIntStats } from "node:fs";
import { open, stat } from "node:fs/promises";
import { InputError, fromOsError } from "../errors.js";

/**
 * The largest config read, in bytes (1 MiB). Real configs are a few
 * kilobytes: a thousand instruments of ten fields each take about 150 KB.
 * Beyond that a file is not a config (a wrong path, a log, an image), and
 * reading it whole would only spend memory.
 */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** The bytes of a config and the state of the file they came from. */
export interface ConfigSnapshot {
  readonly bytes: Buffer;
  /**
   * Device, inode, size, modification and change times of the file (the
   * target of a symbolic link) as one string: two reads with the same
   * identity read the same version of the file.
   */
  readonly identity: string;
  /** The file changed while it was read: the bytes may be a mix of two versions. */
  readonly torn: boolean;
}

/** How a file that is not a regular one is named to people. */
function kindOf(st: BigIntStats): string {
  if (st.isFIFO()) return "FIFO";
  if (st.isCharacterDevice()) return "character device";
  if (st.isBlockDevice()) return "block device";
  if (st.isSocket()) return "socket";
  if (st.isDirectory()) return "directory";
  return "special file";
}

/** The identity of a file's state; see {@link ConfigSnapshot.identity}. */
export function identityOf(st: BigIntStats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}

function refuseUnusable(file: string, st: BigIntStats): void {
  if (!st.isFile()) {
    throw new InputError("not_regular_file", file, `is a ${kindOf(st)}, not a regular file; a config is read only from a regular file`, { details: { kind: kindOf(st) } });
  }
  if (st.size > BigInt(MAX_CONFIG_BYTES)) tooLarge(file, Number(st.size));
}

function tooLarge(file: string, size: number | undefined): never {
  const what = size === undefined ? "grew past" : `is ${size} bytes, more than`;
  throw new InputError("file_too_large", file, `${what} the ${MAX_CONFIG_BYTES} bytes (1 MiB) a config may have`, {
    details: { ...(size === undefined ? {} : { size }), limit: MAX_CONFIG_BYTES },
  });
}

/**
 * The identity of `file` now (following symbolic links), without reading it.
 *
 * @throws {@link InputError} when the file cannot be examined.
 * @example
 * ```ts
 * if ((await configIdentity(file)) !== snapshot.identity) console.log("saved again");
 * ```
 */
export async function configIdentity(file: string): Promise<string> {
  try {
    return identityOf(await stat(file, { bigint: true }));
  } catch (err) {
    throw fromOsError(err, file);
  }
}

/**
 * Read `file` whole, with the state it was read in.
 *
 * The path is examined before it is opened, so a FIFO or a device is
 * refused without being opened; it is opened non-blocking and examined
 * again, in case it was replaced in between; and never more than
 * {@link MAX_CONFIG_BYTES} + 1 bytes are read, in case it grows.
 *
 * @throws {@link InputError} `not_regular_file`, `file_too_large`, or when
 *   the file cannot be read (`not_found`...); `PermissionDeniedError`.
 * @example
 * ```ts
 * const { bytes, identity } = await readConfigSnapshot("/etc/exlab-wizard/config.yaml");
 * ```
 */
export async function readConfigSnapshot(file: string): Promise<ConfigSnapshot> {
  try {
    refuseUnusable(file, await stat(file, { bigint: true }));
    const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
    try {
      const before = await handle.stat({ bigint: true });
      refuseUnusable(file, before);
      const chunks: Buffer[] = [];
      let total = 0;
      for (;;) {
        const chunk = Buffer.allocUnsafe(Math.min(64 * 1024, MAX_CONFIG_BYTES + 1 - total));
        const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
        if (bytesRead === 0) break;
        chunks.push(chunk.subarray(0, bytesRead));
        total += bytesRead;
        if (total > MAX_CONFIG_BYTES) tooLarge(file, undefined);
      }
      const after = await handle.stat({ bigint: true });
      return { bytes: Buffer.concat(chunks, total), identity: identityOf(after), torn: identityOf(before) !== identityOf(after) };
    } finally {
      await handle.close();
    }
  } catch (err) {
    throw fromOsError(err, file);
  }
}

/**
 * The whole content of `file`; see {@link readConfigSnapshot}.
 *
 * @throws {@link InputError} when the file cannot be read, is not a regular
 *   file, or is larger than {@link MAX_CONFIG_BYTES}.
 * @example
 * ```ts
 * const bytes = await readConfigBytes("/etc/exlab-wizard/config.yaml");
 * ```
 */
export async function readConfigBytes(file: string): Promise<Buffer> {
  return (await readConfigSnapshot(file)).bytes;
}
