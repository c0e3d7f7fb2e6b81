/**
 * One walk over an equipment-first tree (§3) that reads every equipment-level
 * cache file and nothing else:
 *
 * ```
 * <root>/<ID>/.exlab-wizard/             read: equipment.json, temp files
 * <root>/<ID>/<project>/                 listed, for TestRuns/ and Runs/
 * <root>/<ID>/<project>/{TestRuns,Runs}/.exlab-wizard/   read: the markers, temp files
 * ```
 *
 * Run folders and data are never listed: the marker folder is opened by
 * name (after an lstat), so a `TestRuns/` with ten thousand runs costs one
 * lstat and one short directory read. Directory entries carry their type,
 * so nothing else is stat'ed (except on Bun, see _entries.ts). A symlinked
 * folder (an equipment, project or run folder, a `.exlab-wizard/`) is never
 * followed: it is recorded, with
 * names that are not UTF-8 (which no path string can name) and folders
 * named like temp files, for `check` to report. Reads run concurrently under one bound. Everything is returned
 * sorted by name (code-unit order), so output built from it is
 * deterministic.
 *
 * @module
 */
import { constants } from "node:fs";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { ExlabCacheError, errnoCode } from "../errors.js";
import { nodeFileSystem, type FileSystem } from "../fs/_fs.js";
import { isTempFileOf } from "../fs/atomic.js";
import { unsafeFilesystemOf, type UnsafeFilesystem } from "../fs/fstype.js";
import { readCacheFile } from "../fs/read.js";
import { EQUIPMENT, type EquipmentJson } from "../schema/equipment.js";
import { MARKERS, type MarkerJson, type RunKind } from "../schema/marker.js";
import { parseRecord } from "../schema/record.js";
import { isEquipmentId } from "../schema/rules.js";
import { limiter } from "../fs/_pool.js";
import { listEntries } from "../cache/_entries.js";
import { CACHE_DIR } from "../cache/paths.js";

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
/** The project subfolders that hold a marker, with the run kind each says, sorted by folder name. */
const RUN_FOLDERS: readonly (readonly [string, RunKind])[] = (Object.keys(MARKERS) as RunKind[])
  .map((kind) => [MARKERS[kind].place.folder, kind] as const)
  .sort(([a], [b]) => byCodeUnit(a, b));
/** Every marker file name: each run folder is searched for all of them, so a misplaced one is found. */
const MARKER_FILES: readonly string[] = Object.values(MARKERS)
  .map((d) => d.file)
  .sort(byCodeUnit);

/** Why a file or folder could not be used: a structured error or an OS error. */
export type ScanError = ExlabCacheError | NodeJS.ErrnoException;

/** A cache file that was read: its record, or why there is none. */
export type FileScan<T> = { readonly path: string; readonly record: T; readonly error?: undefined } | { readonly path: string; readonly record?: undefined; readonly error: ScanError };

/** A `.exlab-wizard/` folder: which cache files it holds and its stray temp files. */
export interface CacheDirScan {
  /** The folder itself. */
  readonly path: string;
  /** Why the folder could not be listed (it is a file, it is unreadable...). */
  readonly error?: ScanError;
  /** Temp files of a writer that did not finish, full paths, sorted. */
  readonly tempFiles: readonly string[];
  /** Folders named like temp files (no writer makes those; none removes them), sorted. */
  readonly tempFolders?: readonly string[];
}

/** A marker file found in a run folder's cache folder. */
export interface MarkerScan {
  /** `test_runs.json` or `runs.json`. */
  readonly fileName: string;
  /** Parsed as a marker of the folder's kind (what the folder says it holds). */
  readonly file: FileScan<MarkerJson>;
}

/** `TestRuns/` or `Runs/` of a project. */
export interface RunFolderScan {
  /** `TestRuns` or `Runs`. */
  readonly name: string;
  /** `"test"` for `TestRuns/`, `"experimental"` for `Runs/`. */
  readonly kind: RunKind;
  /** Its cache folder, or undefined when there is none. */
  readonly cacheDir: CacheDirScan | undefined;
  /** Marker files present, `runs.json` before `test_runs.json`. */
  readonly markers: readonly MarkerScan[];
}

/** A project folder. */
export interface ProjectScan {
  readonly name: string;
  readonly path: string;
  /** Why the folder could not be listed. */
  readonly error?: ScanError;
  /** The run folders present, `Runs` before `TestRuns`. */
  readonly runFolders: readonly RunFolderScan[];
}

/** A folder at the first level of the tree. */
export interface EquipmentScan {
  /** The folder name; an equipment id when {@link idValid}. */
  readonly name: string;
  readonly path: string;
  /** Whether the folder name follows the equipment id grammar. */
  readonly idValid: boolean;
  /** Why the folder could not be listed. */
  readonly error?: ScanError;
  /** Its cache folder, or undefined when it has none. */
  readonly cacheDir: CacheDirScan | undefined;
  /** `equipment.json`, or undefined when absent. */
  readonly equipment: FileScan<EquipmentJson> | undefined;
  /** Project folders, sorted by name. */
  readonly projects: readonly ProjectScan[];
}

/** The whole tree. */
export interface TreeScan {
  readonly root: string;
  /**
   * Every non-hidden folder of the root whose name is an equipment id, and
   * the others that hold a `.exlab-wizard/` folder (they look like equipment
   * folders with a bad name); sorted by name.
   */
  readonly equipment: readonly EquipmentScan[];
  /** Symbolic links to folders where the tree has folders; not followed. Sorted. */
  readonly symlinks: readonly string[];
  /** Folders whose name is not UTF-8, invalid bytes written `\xNN`; not entered. Sorted. */
  readonly undecodable: readonly string[];
  /**
   * Filesystems under the root (the root's own, and any an equipment folder
   * is mounted from) where file locks do not exclude every writer: NFS,
   * SMB/CIFS, FUSE. One entry per filesystem, at the first path found on it.
   */
  readonly unsafeFilesystems: readonly (UnsafeFilesystem & { readonly path: string })[];
}

/** Counts reported while walking. */
export interface ScanProgress {
  directories: number;
  files: number;
}

/** Options of {@link scanTree}. */
export interface ScanOptions {
  /** How many directory or file reads run at once. @default 16 */
  concurrency?: number;
  /** Called after every directory or file read. */
  onProgress?: (progress: ScanProgress) => void;
  /** The filesystem to use. @default Node's `fs/promises` */
  fs?: FileSystem;
  /** Abandons the walk: no read starts after it aborts, and the walk rejects with its reason. */
  signal?: AbortSignal | undefined;
}

/** A directory entry whose name is valid UTF-8. */
interface Entry {
  readonly name: string;
  readonly dir: boolean;
  readonly link: boolean;
}

const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
const visibleDirs = (entries: readonly Entry[]): Entry[] => entries.filter((e) => e.dir && !e.name.startsWith(".")).sort(byName);
const strict = new TextDecoder("utf-8", { fatal: true });
// Non-blocking, so that a FIFO planted there cannot stall the walk.
const NOFOLLOW_DIR = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** `bytes` as text, each byte that is not part of valid UTF-8 written `\xNN`. */
function escapeBytes(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  while (i < bytes.length) {
    // The longest valid prefix, found by shrinking a window of at most 4 bytes.
    let taken = 0;
    for (let n = Math.min(4, bytes.length - i); n > 0 && taken === 0; n--) {
      try {
        out += strict.decode(bytes.subarray(i, i + n));
        taken = n;
      } catch {
        // not a whole character yet
      }
    }
    if (taken === 0) {
      out += `\\x${(bytes[i] ?? 0).toString(16).padStart(2, "0")}`;
      taken = 1;
    }
    i += taken;
  }
  return out;
}

/**
 * Walk the tree under `root` and read every equipment-level cache file.
 * Problems below the root are recorded in the result, never thrown.
 *
 * @throws the operating-system error when `root` itself cannot be listed.
 * @example
 * ```ts
 * const scan = await scanTree("/data/lab");
 * for (const eq of scan.equipment) console.log(eq.name, eq.equipment?.record?.label);
 * ```
 */
export async function scanTree(root: string, options: ScanOptions = {}): Promise<TreeScan> {
  const fs = options.fs ?? nodeFileSystem;
  const limit = limiter(options.concurrency ?? 16);
  const progress: ScanProgress = { directories: 0, files: 0 };
  const symlinks: string[] = [];
  const undecodable: string[] = [];
  // Once aborted, a failed read is the abort, not a property of the tree.
  const scanError = (err: unknown): ScanError => {
    options.signal?.throwIfAborted();
    return asScanError(err);
  };
  // `undecodable` is noted only where the walk would enter the folder (the
  // root and equipment folders): a project's other folders are its own.
  const list = async (dir: string, noteUndecodable = false): Promise<Entry[]> => {
    const raw = await limit(() => {
      options.signal?.throwIfAborted();
      return listEntries(fs, dir);
    });
    progress.directories++;
    options.onProgress?.({ ...progress });
    const entries: Entry[] = [];
    for (const d of raw) {
      let name: string;
      try {
        name = strict.decode(d.name);
      } catch {
        if (noteUndecodable && d.dir) undecodable.push(join(dir, escapeBytes(d.name)));
        continue;
      }
      entries.push({ name, dir: d.dir, link: d.link });
    }
    return entries;
  };
  // Recorded when it leads to a folder: a link to a file is not our business.
  const noteLink = async (path: string): Promise<void> => {
    const target = await stat(path).catch(() => undefined);
    if (target?.isDirectory() === true) symlinks.push(path);
  };
  const read = async (path: string): Promise<Buffer> => {
    const bytes = await limit(() => {
      options.signal?.throwIfAborted();
      return readCacheFile(path, { fs: options.fs });
    });
    progress.files++;
    options.onProgress?.({ ...progress });
    return bytes;
  };

  async function cacheDir(path: string, fileNames: readonly string[]): Promise<{ dir: CacheDirScan | undefined; names: Set<string> }> {
    let entries: Entry[];
    try {
      entries = await list(path);
    } catch (err) {
      if (errnoCode(err) === "ENOENT") return { dir: undefined, names: new Set() };
      return { dir: { path, error: scanError(err), tempFiles: [] }, names: new Set() };
    }
    const names = new Set(entries.filter((e) => !e.dir).map((e) => e.name));
    const temps = entries.filter((e) => fileNames.some((n) => isTempFileOf(n, e.name))).sort(byName);
    const tempFiles = temps.filter((e) => !e.dir).map((e) => join(path, e.name));
    const tempFolders = temps.filter((e) => e.dir).map((e) => join(path, e.name));
    return { dir: { path, tempFiles, tempFolders }, names };
  }

  async function readFile<T>(path: string, parse: (bytes: Buffer) => T): Promise<FileScan<T>> {
    try {
      return { path, record: parse(await read(path)) };
    } catch (err) {
      return { path, error: scanError(err) };
    }
  }

  async function runFolder(projectPath: string, name: string, kind: RunKind): Promise<RunFolderScan> {
    const cachePath = join(projectPath, name, CACHE_DIR);
    // Opened by name, so first opened without following a final symlink
    // (an open, not a stat: the walk stats nothing that is not a link).
    const linked = await limit(async () => {
      try {
        await (await fs.open(cachePath, NOFOLLOW_DIR)).close();
        return false;
      } catch (err) {
        return errnoCode(err) === "ELOOP";
      }
    });
    if (linked) {
      await noteLink(cachePath);
      return { name, kind, cacheDir: undefined, markers: [] };
    }
    const { dir, names } = await cacheDir(cachePath, MARKER_FILES);
    const markers = await Promise.all(
      MARKER_FILES.filter((f) => names.has(f))
        .map(async (fileName): Promise<MarkerScan> => {
          const path = join(projectPath, name, CACHE_DIR, fileName);
          return { fileName, file: await readFile(path, (b): MarkerJson => parseRecord(MARKERS[kind], b, path)) };
        }),
    );
    return { name, kind, cacheDir: dir, markers };
  }

  async function project(path: string, name: string): Promise<ProjectScan> {
    let entries: Entry[];
    try {
      entries = await list(path);
    } catch (err) {
      return { name, path, error: scanError(err), runFolders: [] };
    }
    const dirs = new Set(entries.filter((e) => e.dir).map((e) => e.name));
    await Promise.all(entries.filter((e) => e.link && RUN_FOLDERS.some(([d]) => d === e.name)).map((e) => noteLink(join(path, e.name))));
    const runFolders = await Promise.all(RUN_FOLDERS.filter(([d]) => dirs.has(d)).map(([d, kind]) => runFolder(path, d, kind)));
    return { name, path, runFolders };
  }

  async function equipmentFolder(path: string, name: string): Promise<EquipmentScan | undefined> {
    const idValid = isEquipmentId(name);
    let entries: Entry[];
    try {
      entries = await list(path, idValid);
    } catch (err) {
      return idValid ? { name, path, idValid, error: scanError(err), cacheDir: undefined, equipment: undefined, projects: [] } : undefined;
    }
    const cacheEntry = entries.find((e) => e.name === CACHE_DIR);
    if (cacheEntry?.link === true) await noteLink(join(path, CACHE_DIR));
    await Promise.all(entries.filter((e) => e.link && !e.name.startsWith(".")).map((e) => noteLink(join(path, e.name))));
    // A file there is listed anyway, so that check reports it as unreadable.
    const hasCache = cacheEntry !== undefined && !cacheEntry.link;
    // A folder that is not named like equipment and has no cache folder is
    // someone else's (lost+found, a backup...): not ours to judge.
    if (!idValid && !hasCache) return undefined;
    const cachePath = join(path, CACHE_DIR);
    const [{ dir, names }, projects] = await Promise.all([
      hasCache ? cacheDir(cachePath, [EQUIPMENT.file]) : { dir: undefined, names: new Set<string>() },
      Promise.all(visibleDirs(entries).map((e) => project(join(path, e.name), e.name))),
    ]);
    const filePath = join(cachePath, EQUIPMENT.file);
    const equipment = names.has(EQUIPMENT.file) ? await readFile(filePath, (b): EquipmentJson => parseRecord(EQUIPMENT, b, filePath)) : undefined;
    return { name, path, idValid, cacheDir: dir, equipment, projects };
  }

  const top = await list(root, true);
  const links = top.filter((e) => e.link && isEquipmentId(e.name)).map((e) => noteLink(join(root, e.name)));
  const found = await Promise.all(visibleDirs(top).map((e) => equipmentFolder(join(root, e.name), e.name)));
  await Promise.all(links);
  const sorted = (paths: string[]): string[] => paths.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const equipment = found.filter((e): e is EquipmentScan => e !== undefined);
  return {
    root,
    equipment,
    symlinks: sorted(symlinks),
    undecodable: sorted(undecodable),
    unsafeFilesystems: await unsafeFilesystemsUnder([root, ...equipment.map((e) => e.path)]),
  };
}

async function unsafeFilesystemsUnder(paths: readonly string[]): Promise<(UnsafeFilesystem & { path: string })[]> {
  const out: (UnsafeFilesystem & { path: string })[] = [];
  for (const path of paths) {
    // A folder that cannot be examined is reported by the walk already.
    const fs = await unsafeFilesystemOf(path).catch(() => undefined);
    if (fs !== undefined && !out.some((o) => o.key === fs.key)) out.push({ ...fs, path });
  }
  return out;
}

function asScanError(err: unknown): ScanError {
  if (err instanceof ExlabCacheError) return err;
  if (err instanceof Error && errnoCode(err) !== undefined) return err;
  // Anything else is a bug, not a property of the tree.
  throw err;
}
