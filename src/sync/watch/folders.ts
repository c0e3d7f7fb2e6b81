/**
 * The folders `sync --watch` listens to, kept pointing at the config as it
 * is now.
 *
 * A file is watched through its folder, not itself: an editor that saves by
 * renaming a new file over the old one leaves a watch on the old inode
 * blind. The config's path is resolved one component at a time, and the
 * folder of every symbolic link on the way (at any depth: a folder link, a
 * link to a link, a link inside a linked folder) and the folder of the
 * final file are watched, each for its own name, so that a link re-pointed
 * anywhere on the path is seen at once. A folder that is gone (renamed,
 * deleted) is replaced by its nearest existing ancestor, watched for the
 * missing name, so that the folder's return is seen. {@link FolderWatch.arm} is
 * called before each read of the config: reading after arming means no
 * change between the two is missed.
 *
 * @module
 */
import { watch, type FSWatcher } from "node:fs";
import { lstat, readlink, stat } from "node:fs/promises";
import { basename, dirname, join, parse, sep } from "node:path";
import { errnoCode } from "../../errors.js";
import { InputError } from "../../errors.js";

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

/** Windows takes either slash in a path or a link's target. */
const SEPARATORS = sep === "\\" ? /[\\/]/ : /\//;

/** The components of a path, without empty ones and `.`. */
function components(path: string): string[] {
  return path.split(SEPARATORS).filter((c) => c !== "" && c !== ".");
}

async function point(folder: string, name: string): Promise<WatchPoint> {
  const st = await stat(folder);
  return { folder, identity: `${st.dev}:${st.ino}`, name };
}

/**
 * Where to listen for `file`: its path resolved one component at a time, as
 * the kernel does, and a point for every component that is a symbolic link
 * (in the folder that holds it), for the final file (in its folder), and
 * for the first component that is missing (in the last folder that exists,
 * so that its return is seen). A link at any depth is thereby watched for
 * being re-pointed or replaced: a folder link (`current -> releases/v1`), a
 * link to a link, a link inside a linked folder, a `..data` swap.
 */
async function pointsFor(file: string): Promise<WatchPoint[]> {
  const points: WatchPoint[] = [];
  const root = parse(file).root;
  // `folder` is always a real folder: every link before it is resolved.
  let folder = root;
  let rest = components(file.slice(root.length));
  let links = 0;
  while (rest.length > 0) {
    const name = rest[0] as string;
    rest = rest.slice(1);
    if (name === "..") {
      folder = dirname(folder);
      continue;
    }
    const path = join(folder, name);
    // Missing, not a folder, or not to be examined: the read will say which;
    // the folder holding the name is watched for its return.
    const st = await lstat(path).catch(() => undefined);
    if (st === undefined || (!st.isSymbolicLink() && (rest.length === 0 || !st.isDirectory()))) {
      points.push(await point(folder, name));
      break;
    }
    if (!st.isSymbolicLink()) {
      folder = path;
      continue;
    }
    const target = await readlink(path).catch(() => undefined);
    points.push(await point(folder, name));
    // Unreadable, or too many links (the read reports ELOOP): what was found so far is watched.
    if (target === undefined || ++links > MAX_LINKS) break;
    const targetRoot = parse(target).root;
    if (targetRoot !== "") folder = targetRoot;
    rest = [...components(target.slice(targetRoot.length)), ...rest];
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
      try {
        this.#apply(await pointsFor(this.#file));
        return;
      } catch (err) {
        // A folder went away between finding it and watching it: look again.
        const code = errnoCode(err instanceof InputError ? err.cause : err);
        if (code === "ENOENT" && attempt < 5) continue;
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
