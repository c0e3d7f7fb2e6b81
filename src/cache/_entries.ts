/**
 * Listing one folder with each entry's name as bytes (a name that is not
 * UTF-8 must stay recognisable) and its type, on every runtime, without a
 * stat per entry.
 *
 * `readdir(dir, { withFileTypes: true, encoding: "buffer" })` gives Dirents
 * with Buffer names on Node and Deno, but Bun ignores `withFileTypes` when the
 * encoding is "buffer" and returns the bare names as Buffers. There the types
 * come from a second, string-named typed listing, matched by name; an lstat
 * of the byte path is left for the names it cannot match: names that are not
 * UTF-8 (their string form is lossy) and entries made between the listings.
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

const strict = new TextDecoder("utf-8", { fatal: true });

function decodes(bytes: Buffer): string | undefined {
  try {
    return strict.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * The entries of `dir`, in the order the OS lists them.
 *
 * @throws the OS error of reading the folder, or of an lstat other than
 *   ENOENT (an entry removed meanwhile is left out, as a later listing would).
 */
export async function listEntries(fs: FileSystem, dir: string): Promise<ByteEntry[]> {
  const raw = (await fs.readdir(dir, { withFileTypes: true, encoding: "buffer" })) as readonly (Dirent<Buffer> | Buffer)[];
  if (!raw.some((d) => Buffer.isBuffer(d))) {
    return (raw as readonly Dirent<Buffer>[]).map((d) => ({ name: d.name, dir: d.isDirectory(), link: d.isSymbolicLink() }));
  }
  const typed = new Map((await fs.readdir(dir, { withFileTypes: true })).map((d) => [d.name, d] as const));
  const prefix = Buffer.from(dir.endsWith(sep) ? dir : dir + sep);
  const entries = await Promise.all(
    raw.map(async (d): Promise<ByteEntry | undefined> => {
      if (!Buffer.isBuffer(d)) return { name: d.name, dir: d.isDirectory(), link: d.isSymbolicLink() };
      const text = decodes(d);
      const known = text === undefined ? undefined : typed.get(text);
      if (known !== undefined) return { name: d, dir: known.isDirectory(), link: known.isSymbolicLink() };
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
