/** Opening a log file for reading: never through a link, never hanging on a FIFO, regular files only. */
import { constants } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";

const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** Open `path` for reading; rejects with `ELOOP` for a link and `ENOTREG` for anything but a regular file. */
export async function openLog(path: string): Promise<FileHandle> {
  const fh = await open(path, READ_FLAGS);
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw Object.assign(new Error(`${path} is not a regular file`), { code: "ENOTREG" });
    return fh;
  } catch (err) {
    await fh.close();
    throw err;
  }
}
