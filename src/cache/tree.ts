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
 * name, so a `TestRuns/` with ten thousand runs costs one failed or one
 * short directory read. Directory entries carry their type, so nothing is
 * stat'ed. Reads run concurrently under one bound. Everything is returned
 * sorted by name (code-unit order), so output built from it is
 * deterministic.
 *
 * @module
 */
import type { Dirent } from "node:fs";
import { join } from "node:path";
import { ExlabCacheError, errnoCode } from "../errors.js";
import { nodeFileSystem, type FileSystem } from "../fs/_fs.js";
import { isTempFileOf } from "../fs/atomic.js";
import { readCacheFile } from "../fs/read.js";
import { parseEquipment, type EquipmentJson } from "../schema/equipment.js";
import { parseMarker, type MarkerJson, type RunKind } from "../schema/marker.js";
import { isEquipmentId } from "../schema/_fields.js";
import { limiter } from "./_limit.js";
import { CACHE_DIR, EQUIPMENT_FILE, RUNS_DIR, RUNS_FILE, TEST_RUNS_DIR, TEST_RUNS_FILE } from "./paths.js";

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
}

const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
const visibleDirs = (entries: readonly Dirent[]): Dirent[] => entries.filter((e) => e.isDirectory() && !e.name.startsWith(".")).sort(byName);

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
  const list = async (dir: string): Promise<Dirent[]> => {
    const entries = await limit(() => fs.readdir(dir, { withFileTypes: true }));
    progress.directories++;
    options.onProgress?.({ ...progress });
    return entries;
  };
  const read = async (path: string): Promise<Buffer> => {
    const bytes = await limit(() => readCacheFile(path, { fs: options.fs }));
    progress.files++;
    options.onProgress?.({ ...progress });
    return bytes;
  };

  async function cacheDir(path: string, fileNames: readonly string[]): Promise<{ dir: CacheDirScan | undefined; names: Set<string> }> {
    let entries: Dirent[];
    try {
      entries = await list(path);
    } catch (err) {
      if (errnoCode(err) === "ENOENT") return { dir: undefined, names: new Set() };
      return { dir: { path, error: asScanError(err), tempFiles: [] }, names: new Set() };
    }
    const names = new Set(entries.map((e) => e.name));
    const tempFiles = entries
      .filter((e) => fileNames.some((n) => isTempFileOf(n, e.name)))
      .sort(byName)
      .map((e) => join(path, e.name));
    return { dir: { path, tempFiles }, names };
  }

  async function readFile<T>(path: string, parse: (bytes: Buffer) => T): Promise<FileScan<T>> {
    try {
      return { path, record: parse(await read(path)) };
    } catch (err) {
      return { path, error: asScanError(err) };
    }
  }

  async function runFolder(projectPath: string, name: string, kind: RunKind): Promise<RunFolderScan> {
    const { dir, names } = await cacheDir(join(projectPath, name, CACHE_DIR), [RUNS_FILE, TEST_RUNS_FILE]);
    const markers = await Promise.all(
      [RUNS_FILE, TEST_RUNS_FILE]
        .filter((f) => names.has(f))
        .map(async (fileName): Promise<MarkerScan> => {
          const path = join(projectPath, name, CACHE_DIR, fileName);
          return { fileName, file: await readFile(path, (b) => parseMarker(b, kind, path)) };
        }),
    );
    return { name, kind, cacheDir: dir, markers };
  }

  async function project(path: string, name: string): Promise<ProjectScan> {
    let entries: Dirent[];
    try {
      entries = await list(path);
    } catch (err) {
      return { name, path, error: asScanError(err), runFolders: [] };
    }
    const dirs = new Set(entries.filter((e) => e.isDirectory()).map((e) => e.name));
    const wanted: [string, RunKind][] = [
      [RUNS_DIR, "experimental"],
      [TEST_RUNS_DIR, "test"],
    ];
    const runFolders = await Promise.all(wanted.filter(([d]) => dirs.has(d)).map(([d, kind]) => runFolder(path, d, kind)));
    return { name, path, runFolders };
  }

  async function equipmentFolder(path: string, name: string): Promise<EquipmentScan | undefined> {
    const idValid = isEquipmentId(name);
    let entries: Dirent[];
    try {
      entries = await list(path);
    } catch (err) {
      return idValid ? { name, path, idValid, error: asScanError(err), cacheDir: undefined, equipment: undefined, projects: [] } : undefined;
    }
    const hasCache = entries.some((e) => e.name === CACHE_DIR);
    // A folder that is not named like equipment and has no cache folder is
    // someone else's (lost+found, a backup...): not ours to judge.
    if (!idValid && !hasCache) return undefined;
    const cachePath = join(path, CACHE_DIR);
    const [{ dir, names }, projects] = await Promise.all([
      hasCache ? cacheDir(cachePath, [EQUIPMENT_FILE]) : { dir: undefined, names: new Set<string>() },
      Promise.all(visibleDirs(entries).map((e) => project(join(path, e.name), e.name))),
    ]);
    const filePath = join(cachePath, EQUIPMENT_FILE);
    const equipment = names.has(EQUIPMENT_FILE) ? await readFile(filePath, (b) => parseEquipment(b, filePath)) : undefined;
    return { name, path, idValid, cacheDir: dir, equipment, projects };
  }

  const top = await list(root);
  const found = await Promise.all(visibleDirs(top).map((e) => equipmentFolder(join(root, e.name), e.name)));
  return { root, equipment: found.filter((e): e is EquipmentScan => e !== undefined) };
}

function asScanError(err: unknown): ScanError {
  if (err instanceof ExlabCacheError) return err;
  if (err instanceof Error && errnoCode(err) !== undefined) return err;
  // Anything else is a bug, not a property of the tree.
  throw err;
}
