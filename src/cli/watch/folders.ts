/**
 * The folders `sync --watch` listens to, kept pointing at the config as it
 * is now.
 *
 * A file is watched through its folder, not itself: an editor that saves by
 * renaming a new file over the old one leaves a watch on the old inode
 * blind. A config that is a symbolic link is saved through its target, so
 * the folder of every link on the way and the folder of the final file are
 * watched, each for its own name. A folder that is gone (renamed, deleted)
 * is replaced by its nearest existing ancestor, watched for the missing
 * name, so that the folder's return is seen. {@link FolderWatch.arm} is
 * called before each read of the config: reading after arming means no
 * change between the two is missed.
 *
 * @module
 */
import { watch, type FSWatcher } from "node:fs";
import { lstat, readlink, realpath, stat } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";
import { errnoCode } from "../../errors.js";
import { InputError } from "../errors.js";

/** A name to listen for in a folder. */
interface WatchPoint {
  /** The folder, as the kernel resolves it (symbolic links followed). */
  folder: string;
  /** Device and inode of the folder when it was found. */
  identity: string;
  name: string;
}

/** Links followed at most, as the kernel does before ELOOP. */
const MAX_LINKS = 40;

/** `path`'s folder and name, or where the missing folder would appear: its nearest existing ancestor and the missing name. */
async function pointFor(path: string): Promise<WatchPoint> {
  let name = basename(path);
  let dir = dirname(path);
  for (;;) {
    try {
      const st = await stat(dir);
      if (st.isDirectory()) return { folder: await realpath(dir), identity: `${st.dev}:${st.ino}`, name };
    } catch (err) {
      if (errnoCode(err) !== "ENOENT" && errnoCode(err) !== "ENOTDIR") throw err;
    }
    if (dirname(dir) === dir) throw new InputError("not_found", dir, "no folder to watch");
    name = basename(dir);
    dir = dirname(dir);
  }
}

/** Where to listen for `file`: its own folder, then each link's target in turn. */
async function pointsFor(file: string): Promise<WatchPoint[]> {
  const points: WatchPoint[] = [];
  let path = file;
  for (let links = 0; links <= MAX_LINKS; links++) {
    const point = await pointFor(path);
    points.push(point);
    let target: string;
    try {
      if (!(await lstat(path)).isSymbolicLink()) break;
      target = await readlink(path);
    } catch {
      // Missing or unreadable: the read will say so; the folder is watched for its return.
      break;
    }
    // Relative to the link's folder as the kernel resolves it, `..` included.
    path = resolve(point.folder, target);
  }
  return points;
}

interface Armed {
  watcher: FSWatcher;
  identity: string;
  names: Set<string>;
  /** The folder itself was renamed or deleted: the watch may be on a dead inode. */
  stale: boolean;
}

/**
 * Watches the folders a config depends on and calls `onChange` when one of
 * the names it cares about changes there, or the folder itself moves.
 *
 * @example
 * ```ts
 * const folders = new FolderWatch("/etc/exlab-wizard/config.yaml", () => schedule());
 * await folders.arm();
 * ```
 */
export class FolderWatch {
  readonly #file: string;
  readonly #onChange: () => void;
  readonly #armed = new Map<string, Armed>();

  /** @param file - absolute path of the config. */
  constructor(file: string, onChange: () => void) {
    this.#file = file;
    this.#onChange = onChange;
  }

  /**
   * Point the watches at the folders the config depends on now: new ones
   * are watched, replaced or moved ones watched afresh, others let go.
   *
   * @throws {@link InputError} `watch_failed` naming the folder when it
   *   cannot be watched.
   */
  async arm(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const points = await pointsFor(this.#file);
      try {
        this.#apply(points);
        return;
      } catch (err) {
        // The folder went away between finding it and watching it: look again.
        if (err instanceof InputError && errnoCode(err.cause) === "ENOENT" && attempt < 5) continue;
        throw err;
      }
    }
  }

  /** Stop every watch. */
  close(): void {
    for (const armed of this.#armed.values()) armed.watcher.close();
    this.#armed.clear();
  }

  #apply(points: readonly WatchPoint[]): void {
    const wanted = new Map<string, { identity: string; names: Set<string> }>();
    for (const p of points) {
      const w = wanted.get(p.folder) ?? { identity: p.identity, names: new Set<string>() };
      w.names.add(p.name);
      wanted.set(p.folder, w);
    }
    for (const [folder, armed] of this.#armed) {
      const w = wanted.get(folder);
      if (w === undefined || w.identity !== armed.identity || armed.stale) {
        armed.watcher.close();
        this.#armed.delete(folder);
      }
    }
    for (const [folder, w] of wanted) {
      const armed = this.#armed.get(folder);
      if (armed !== undefined) armed.names = w.names;
      else this.#armed.set(folder, this.#watch(folder, w.identity, w.names));
    }
  }

  #watch(folder: string, identity: string, names: Set<string>): Armed {
    const self = basename(folder);
    let watcher: FSWatcher;
    try {
      watcher = watch(folder, (event, name) => {
        // The folder's own name is what a rename or deletion of the folder
        // itself is reported as (a child of that name is checked once too many).
        if (name === self && event === "rename") armed.stale = true;
        // No name: the platform could not say which entry changed.
        if (name === null || name === self || armed.names.has(name)) this.#onChange();
      });
    } catch (err) {
      const code = errnoCode(err);
      const why = code ?? (err instanceof Error ? err.message : String(err));
      throw new InputError("watch_failed", folder, `cannot watch it for saves of the config (${why})`, { cause: err, osCode: code });
    }
    const armed: Armed = { watcher, identity, names, stale: false };
    watcher.on("error", () => {
      // A watch that broke is replaced by the next arm(), or fails it.
      armed.stale = true;
      this.#onChange();
    });
    return armed;
  }
}
