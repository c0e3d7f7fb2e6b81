/**
 * Listing one folder with each entry's name as bytes (a name that is not
 * UTF-8 must stay recognisable) and its type, on every runtime.
 *
 * `readdir(dir, { withFileTypes: true, encoding: "buffer" })` gives Dirents
 * with Buffer names on Node and Deno, but Bun ignores `withFileTypes` when the
 * encoding is "buffer" and returns the bare names as Buffers. Those entries
 * get their type from an lstat of the entry's byte path instead.
 */
import type { Dirent } from "node:fs";
import { sep } from "node:path";
import { errnoCode } from "../errors.js";
import type { FileSystem } from "../fs/_fs.js";

/** One entry: its name as the OS gave it, and what it is (a symlink is not followed). */
export interface ByteEntry {
  readonly name: Buffer;
  readonly dir: boolean;
  readonly link: boolean;
}

/**
 * The entries of `dir`, in the order the OS lists them.
 *
 * @throws the OS error of reading the folder, or of an lstat other than
 *   ENOENT (an entry removed meanwhile is left out, as a later listing would).
 */
export async function listEntries(fs: FileSystem, dir: string): Promise<ByteEntry[]> {
  const raw = (await fs.readdir(dir, { withFileTypes: true, encoding: "buffer" })) as readonly (Dirent<Buffer> | Buffer)[];
  const prefix = Buffer.from(dir.endsWith(sep) ? dir : dir + sep);
  const entries = await Promise.all(
    raw.map(async (d): Promise<ByteEntry | undefined> => {
      if (!Buffer.isBuffer(d)) return { name: d.name, dir: d.isDirectory(), link: d.isSymbolicLink() };
      try {
        const st = await fs.lstat(Buffer.concat([prefix, d]));
        return { name: d, dir: st.isDirectory(), link: st.isSymbolicLink() };
      } catch (err) {
        if (errnoCode(err) === "ENOENT") return undefined;
        throw err;
      }
    }),
  );
  return entries.filter((e) => e !== undefined);
}
