/**
 * `EquipmentCacheWriter`: reads and writes `equipment.json` and the two run
 * markers following the §4.4.5 recipe — validate, lock the sidecar, do the
 * read-modify-write, replace atomically and durably.
 *
 * @module
 */
import { dirname } from "node:path";
import {
  ExlabCacheError,
  LockError,
  NotRegularFileError,
  PermissionDeniedError,
  UnsafeFilesystemError,
  ValidationError,
  WriteFailedError,
  errnoCode,
  isPermissionRefusal,
  type CacheWarning,
  type RefusedOperation,
} from "../errors.js";
import { describe } from "../schema/rules.js";
import { nodeFileSystem, type FileSystem } from "../fs/_fs.js";
import { unsafeFilesystemOf, type UnsafeFilesystem } from "../fs/fstype.js";
import { DEFAULT_LOCK_TIMEOUT_MS, lockAndRead, type LockedFile, type LookOptions } from "../fs/lock.js";
import { requirePath } from "../fs/_path.js";
import { MAX_CACHE_FILE_BYTES, readCacheFile } from "../fs/read.js";
import { encodeRecordOf, oversizeIssue, stampRecord, type RecordDescriptor, type RecordOf } from "../schema/record.js";
import { formatTimestamp } from "../schema/timestamp.js";
import {
  EQUIPMENT,
  inspectExistingEquipment,
  parseEquipment,
  salvageFirstSeenAt,
  validateEquipmentInput,
  type EquipmentInput,
  type EquipmentJson,
} from "../schema/equipment.js";
import { MARKERS, parseMarker, validateMarkerInput, type MarkerInput, type RunKind, type RunsJson, type TestRunsJson } from "../schema/marker.js";
import { SCHEMA_VERSION, parseSchemaVersion } from "../schema/version.js";
import { readLeadingBytes } from "./_leading.js";
import { MIRRORED_FIELDS, type MirroredField } from "./plan.js";
import { preserveCorrupt } from "./_recovery.js";


/** Options of {@link EquipmentCacheWriter}. */
export interface EquipmentCacheWriterOptions {
  /**
   * How long a write waits for the file's lock before failing with
   * `lock_timeout`, in milliseconds. `Infinity` waits for ever.
   * @default 60000
   */
  lockTimeoutMs?: number;
  /** Where timestamps come from. @default () => new Date() */
  clock?: () => Date;
  /**
   * Receives notices of repairs (a corrupt file kept aside, stale temp files
   * removed). The library prints nothing itself.
   * @default no-op
   */
  onWarning?: (warning: CacheWarning) => void;
  /**
   * fsync file and directory on every write. Turn off only for scratch trees.
   * @default true
   */
  durable?: boolean;
  /**
   * Refuse to write on NFS, SMB/CIFS and FUSE mounts, where `flock` does not
   * exclude writers on other machines or other views of the same folder:
   * such writes fail with `unsafe_filesystem` and nothing is written. When
   * off, they go ahead and `onWarning` gets `unsafe_filesystem` once per
   * filesystem per process.
   * @default false
   */
  refuseUnsafeFilesystems?: boolean;
  /** Largest cache file read, in bytes. @default 1048576 */
  maxFileBytes?: number;
  /**
   * The filesystem to use (for instrumentation or fault injection): every
   * step of a write then goes through it, one call at a time, in the order
   * the native backend runs them. @default the native backend (Node's
   * `fs/promises` where there is none)
   */
  fs?: FileSystem | undefined;
}

/**
 * What {@link EquipmentCacheWriter.syncEquipment} found under the lock and did:
 * `created` (no file), `updated` (the mirrored fields in `changed` differed),
 * `unchanged` (nothing written), `repaired` (a corrupt file was kept aside
 * and replaced).
 */
export interface EquipmentWriteOutcome {
  readonly status: "created" | "updated" | "unchanged" | "repaired";
  /** The record as written, or as found when unchanged. */
  readonly record: EquipmentJson;
  /** Mirrored fields that differed from the file (`updated` only). */
  readonly changed: readonly MirroredField[];
}

/** Per-call options of the write methods. */
export interface WriteCallOptions {
  /** Abandon the wait for the lock when this signal aborts. */
  signal?: AbortSignal | undefined;
}

/** A timestamp as long as every real one, to size a record before its stamps are known. */
const STAMP = "2000-01-01T00:00:00Z";

/** Permission bits of a new cache file, before the umask and default ACLs (a rewrite keeps the old file's). */
const NEW_FILE_MODE = 0o666;

/** OS errors that mean the storage refuses writes, whichever file met them first. */
const STORAGE_REFUSALS = new Set(["EROFS", "ENOSPC", "EDQUOT", "EIO"]);

/** Filesystems already reported through `onWarning` in this process, by {@link UnsafeFilesystem.key}. */
const warnedFilesystems = new Set<string>();

/**
 * What each folder written in sits on, shared by every writer of the process.
 * Callers of one folder await the same promise, so they go on in the order
 * they called and reach the lock's queue in call order, as they would without
 * this check; after the first answer a check costs no syscall.
 */
const folderFilesystems = new Map<string, Promise<UnsafeFilesystem | undefined>>();

function filesystemOf(dir: string): Promise<UnsafeFilesystem | undefined> {
  let found = folderFilesystems.get(dir);
  if (found === undefined) {
    found = unsafeFilesystemOf(dir).then(
      (seen) => {
        // Only a folder that exists is remembered: where it is created decides.
        if (seen !== undefined && seen.examined !== dir) folderFilesystems.delete(dir);
        return seen;
      },
      () => {
        // Nothing examinable: the write itself meets the same error and reports it.
        folderFilesystems.delete(dir);
        return undefined;
      },
    );
    folderFilesystems.set(dir, found);
  }
  return found;
}

/**
 * Whether `err`, or an error it wraps, is the storage refusing writes because
 * it is mounted read-only: whatever step met it first (the sidecar's open,
 * the folder's mkdir, a stale temp file's unlink, the temp file's open).
 */
function isReadOnly(err: unknown): boolean {
  for (let e = err, depth = 0; e !== undefined && e !== null && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if (errnoCode(e) === "EROFS") return true;
    if (e instanceof ExlabCacheError && e.details?.["os_code"] === "EROFS") return true;
  }
  return false;
}

/** What a refused step around the replace was trying to do. */
function refusedOperation(syscall: string): RefusedOperation {
  if (syscall === "scandir" || syscall === "readdir" || syscall === "lstat" || syscall === "stat") return "list_folder";
  if (syscall === "open" || syscall === "read" || syscall === "fstat") return "read_file";
  if (syscall === "rename") return "replace_file";
  return "create_in_folder";
}

/**
 * Make every failure of a write call a structured error. An OS error from a
 * step around the replace (listing the folder, reading the current file,
 * checking for a marker) becomes `write_failed` naming `path`, or
 * `permission_denied` naming what was refused. So does a lock
 * that could not be taken because the storage refuses writes: on a read-only
 * mount the sidecar is refused before anything else, and "read-only" is
 * what the caller must act on, not "cannot lock".
 */
function asWriteFailure(path: string, err: unknown): unknown {
  if (err instanceof LockError) {
    const code = errnoCode(err.cause);
    return code !== undefined && STORAGE_REFUSALS.has(code) ? new WriteFailedError(path, syscallOf(err.cause), err.cause) : err;
  }
  // Only operating-system errors (they name an errno or a syscall) are
  // storage failures; anything else (a programming error, a module that
  // failed to load) is passed on as it is.
  const os = typeof err === "object" && err !== null ? (err as { errno?: unknown; syscall?: unknown }) : {};
  const fromOs = typeof os.errno === "number" || typeof os.syscall === "string";
  if (err instanceof ExlabCacheError || errnoCode(err) === undefined || !fromOs) return err;
  if (isPermissionRefusal(err)) {
    const syscall = syscallOf(err);
    const where = (err as NodeJS.ErrnoException).path ?? path;
    // A refused lstat of a file is a folder that may not be searched.
    return new PermissionDeniedError(syscall === "lstat" || syscall === "stat" ? dirname(where) : where, refusedOperation(syscall), err);
  }
  return new WriteFailedError(path, syscallOf(err), err);
}

function syscallOf(err: unknown): string {
  return (err as NodeJS.ErrnoException).syscall ?? "unknown";
}

/**
 * Reads and writes the equipment-level cache files. Instances hold only
 * options; one can serve any number of files and concurrent calls.
 *
 * @example
 * ```ts
 * const writer = new EquipmentCacheWriter();
 * const path = equipmentJsonPath("/data/lab", "CONFOCAL_01");
 * await writer.writeEquipment(path, {
 *   id: "CONFOCAL_01", label: "Confocal Microscope 1",
 *   configured_local_root: "/data/lab", configured_nas_root: "//nas01/lab",
 * });
 * const record = await writer.readEquipment(path);
 * ```
 */
export class EquipmentCacheWriter {
  readonly #lockTimeoutMs: number;
  readonly #clock: () => Date;
  readonly #warn: (warning: CacheWarning) => void;
  readonly #durable: boolean;
  readonly #maxBytes: number;
  readonly #fs: FileSystem | undefined;
  readonly #refuseUnsafe: boolean;

  constructor(options: EquipmentCacheWriterOptions = {}) {
    this.#lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
    this.#clock = options.clock ?? (() => new Date());
    this.#warn = options.onWarning ?? (() => undefined);
    this.#durable = options.durable ?? true;
    this.#maxBytes = options.maxFileBytes ?? MAX_CACHE_FILE_BYTES;
    this.#fs = options.fs;
    this.#refuseUnsafe = options.refuseUnsafeFilesystems ?? false;
  }

  /**
   * Warn about (or refuse) a write on a filesystem where the lock does not
   * exclude every writer. Examined before the lock is taken: on such a mount
   * the lock itself is what cannot be trusted.
   */
  async #checkFilesystem(path: string): Promise<void> {
    const found = await filesystemOf(dirname(path));
    if (found === undefined) return;
    if (this.#refuseUnsafe) throw new UnsafeFilesystemError(path, found.kind, found.fsType);
    if (warnedFilesystems.has(found.key)) return;
    warnedFilesystems.add(found.key);
    this.#warn({
      code: "unsafe_filesystem",
      path,
      fsType: found.fsType,
      message: `${path} is on a ${found.kind} filesystem (${found.fsType}): file locks there do not exclude writers on other machines or other views of the folder, so concurrent writes can be lost`,
    });
  }

  /**
   * Refuse a record whose encoding is over the read bound: written, it could
   * not be read back, and each later sync would keep it aside as corrupt and
   * write it again.
   */
  #requireFits<D extends RecordDescriptor>(d: D, record: RecordOf<D>, extras: readonly (readonly [string, string])[], path: string): void {
    const issue = oversizeIssue(d, record, extras, this.#maxBytes);
    if (issue !== undefined) throw new ValidationError([issue], { path });
  }

  #now(): string {
    const now = this.#clock();
    try {
      if (now instanceof Date) return formatTimestamp(now);
    } catch {
      // an invalid date or one outside years 0001-9999: reported below
    }
    const issue = {
      path: "clock",
      expected: "a Date between years 0001 and 9999",
      received: now instanceof Date ? String(now.getTime()) : describe(now),
      message: "The writer's clock returned a time that cannot be written as YYYY-MM-DDTHH:MM:SSZ",
    };
    throw new ValidationError([issue], { what: "clock value" });
  }

  /**
   * Write or rewrite `equipment.json` at `path`.
   *
   * Under the file's lock: reads the current file; keeps its `first_seen_at`
   * (or stamps now on the first write), stamps `last_modified_at`, keeps
   * fields a newer minor wrote and a newer minor's version; then replaces the
   * file atomically and durably. A corrupt current file is kept beside it as
   * `equipment.json.corrupt-<timestamp>` and reported to `onWarning`; its
   * `first_seen_at` is carried over when still legible.
   *
   * @returns the record as written (fields this version knows).
   * @throws {@link ValidationError} for a bad payload, or a `path` that is empty,
   *   not a string or holds a NUL byte (field `path`); nothing is touched.
   * @throws {@link SchemaMajorMismatchError} when the current file is of
   *   another major; it is left as it is.
   * @throws {@link PermissionDeniedError} (`permission_denied`) when this account
   *   may not list the folder, create in it, open the sidecar or replace the file.
   * @throws {@link UnsafeFilesystemError} with `refuseUnsafeFilesystems` on NFS, SMB or FUSE.
   * @throws {@link WriteFailedError} for any other OS failure on the way (full disk,
   *   I/O error, read-only mount...).
   * @throws {@link LockTimeoutError}, {@link LockError}, {@link NotRegularFileError}
   * @example
   * ```ts
   * const written = await writer.writeEquipment(path, { id: "CONFOCAL_01", label: "Confocal 1",
   *   configured_local_root: "/data/lab", configured_nas_root: "//nas01/lab" });
   * written.first_seen_at; // "2026-04-17T14:32:00Z" on the first write, unchanged after
   * ```
   */
  async writeEquipment(path: string, payload: EquipmentInput, options: WriteCallOptions = {}): Promise<EquipmentJson> {
    return (await this.#equipment(path, payload, options, false)).record;
  }

  /**
   * Bring `equipment.json` at `path` in line with `payload`, as a re-sync from
   * `config.yaml` does: like {@link writeEquipment}, except that a valid file
   * whose mirrored fields (id, label, both roots) already match is left as it
   * is. Every step, the decision included, happens under the file's lock, so
   * of racing syncs of one new entry exactly one reports `created`; stale
   * temp files are swept even when nothing is written.
   *
   * @returns what was found and done.
   * @throws as {@link writeEquipment} does.
   * @example
   * ```ts
   * const { status, changed } = await writer.syncEquipment(path, input);
   * if (status === "updated") console.log(changed); // ["label"]
   * ```
   */
  async syncEquipment(path: string, payload: EquipmentInput, options: WriteCallOptions = {}): Promise<EquipmentWriteOutcome> {
    return this.#equipment(path, payload, options, true);
  }

  async #equipment(path: string, payload: EquipmentInput, options: WriteCallOptions, keepUnchanged: boolean): Promise<EquipmentWriteOutcome> {
    requirePath(path);
    const input = validateEquipmentInput(payload);
    // The smallest record this input can make (a new file: no carried-over
    // members); if even that is over the read bound, refuse before the disk.
    this.#requireFits(EQUIPMENT, stampRecord(EQUIPMENT, input, { schema_version: SCHEMA_VERSION, first_seen_at: STAMP, last_modified_at: STAMP }), [], path);
    try {
      await this.#checkFilesystem(path);
      return await this.#writeEquipmentLocked(path, input, options, keepUnchanged);
    } catch (err) {
      if (keepUnchanged && isReadOnly(err)) {
        const found = await this.#unchangedSnapshot(path, input);
        if (found !== undefined) return { status: "unchanged", record: found, changed: [] };
      }
      throw asWriteFailure(path, err);
    }
  }

  /**
   * On a read-only mount, where no sidecar can be created and so no lock
   * taken: the valid record at `path` when its mirrored fields already match
   * `input`, else undefined. A snapshot read without the lock is enough to
   * say "unchanged": writers replace the file only by renaming a whole
   * temp file over it, so the read sees one complete version, and since
   * nothing is written the answer is the one the lock would have given at
   * the instant of the read (a writer elsewhere is then simply ordered after
   * it). Any doubt (no file, a corrupt one, another major) is undefined: the
   * caller reports the refused write.
   */
  async #unchangedSnapshot(path: string, input: EquipmentInput): Promise<EquipmentJson | undefined> {
    try {
      const bytes = await readCacheFile(path, { fs: this.#fs, maxBytes: this.#maxBytes });
      const existing = inspectExistingEquipment(bytes, path);
      if (existing.status !== "valid") return undefined;
      const found = existing.record;
      return MIRRORED_FIELDS.every((k) => found[k] === input[k]) ? found : undefined;
    } catch {
      return undefined;
    }
  }

  /** Lock `path` and do the sweep and `look` in the same step; see {@link lockAndRead}. */
  #lock(path: string, look: NonNullable<LookOptions["look"]>, options: WriteCallOptions): Promise<LockedFile> {
    return lockAndRead(path, {
      look,
      maxBytes: this.#maxBytes,
      sweep: true,
      onSwept: (stale) => this.#warn({ code: "stale_temp_removed", path: stale, message: `Removed ${stale}, left by a writer that did not finish` }),
      fs: this.#fs,
      timeoutMs: this.#lockTimeoutMs,
      signal: options.signal,
    });
  }

  async #writeEquipmentLocked(path: string, input: EquipmentInput, options: WriteCallOptions, keepUnchanged: boolean): Promise<EquipmentWriteOutcome> {
    const locked = await this.#lock(path, "read", options);
    try {
      const current = locked.current;
      if (current.kind === "not-regular") throw current.error;
      let status: EquipmentWriteOutcome["status"] = "created";
      let changed: readonly MirroredField[] = [];
      if (keepUnchanged && current.kind === "file") {
        const existing = inspectExistingEquipment(current.bytes, path);
        if (existing.status === "valid") {
          const found = existing.record;
          changed = MIRRORED_FIELDS.filter((k) => found[k] !== input[k]);
          // Nothing to write: the lock is released untouched (finally).
          if (changed.length === 0) return { status: "unchanged", record: found, changed };
        }
      }
      const now = this.#now();
      let firstSeenAt = now;
      let version = SCHEMA_VERSION;
      let extras: readonly [string, string][] = [];
      let corrupt: { bytes: Uint8Array | undefined; problem: ExlabCacheError } | undefined;
      if (current.kind === "too-large") {
        // Too big to read whole: keep it aside by hard link, no copy. Its
        // size says nothing against its provenance, so first_seen_at is
        // taken from its leading bytes when they hold one.
        status = "repaired";
        firstSeenAt = salvageFirstSeenAt(await readLeadingBytes(path, this.#fs ?? nodeFileSystem)) ?? now;
        corrupt = { bytes: undefined, problem: current.error };
      } else if (current.kind === "file") {
        const existing = inspectExistingEquipment(current.bytes, path);
        if (existing.status === "valid") {
          status = "updated";
          firstSeenAt = existing.record.first_seen_at;
          extras = existing.extras;
          const found = parseSchemaVersion(existing.record.schema_version);
          const ours = parseSchemaVersion(SCHEMA_VERSION);
          if (found !== undefined && ours !== undefined && found.minor > ours.minor) version = existing.record.schema_version;
        } else {
          status = "repaired";
          firstSeenAt = existing.firstSeenAt ?? now;
          corrupt = { bytes: current.bytes, problem: existing.problem };
        }
      }
      const record: EquipmentJson = stampRecord(EQUIPMENT, input, { schema_version: version, first_seen_at: firstSeenAt, last_modified_at: now });
      // Members carried over from the file are known only now, under the
      // lock: check the size again before anything is kept aside or written
      // (the finally releases the lock untouched).
      this.#requireFits(EQUIPMENT, record, extras, path);
      if (now < firstSeenAt) {
        // Both are YYYY-MM-DDTHH:MM:SSZ, so text order is time order.
        this.#warn({
          code: "clock_behind_record",
          path,
          message: `The clock reads ${now}, earlier than ${path}'s first_seen_at ${firstSeenAt}; written anyway, with last_modified_at before first_seen_at`,
        });
      }
      const text = encodeRecordOf(EQUIPMENT, record, extras);
      if (corrupt !== undefined) await preserveCorrupt(path, { ...corrupt, now, fs: this.#fs, durable: this.#durable, warn: this.#warn });
      await locked.commit(Buffer.from(text, "utf8"), NEW_FILE_MODE, this.#durable);
      return { status, record, changed };
    } finally {
      await locked.release(); // nothing to do after a commit
    }
  }

  /**
   * Read and validate `equipment.json`. Takes no lock: writers replace the
   * file by rename, so this sees one whole version.
   *
   * @throws Node's `ENOENT` error when the file does not exist.
   * @throws {@link SchemaMajorMismatchError} before anything else is decoded
   *   when the file is of another major.
   * @throws {@link ValidationError} (field `path`) for an empty path, a non-string or a NUL byte.
   * @throws {@link MalformedFileError}, {@link ValidationError}, {@link FileTooLargeError}, {@link NotRegularFileError}
   * @example
   * ```ts
   * const { label, first_seen_at } = await writer.readEquipment(path);
   * ```
   */
  async readEquipment(path: string): Promise<EquipmentJson> {
    requirePath(path);
    return parseEquipment(await readCacheFile(path, { fs: this.#fs, maxBytes: this.#maxBytes }), path);
  }

  /**
   * Write the `TestRuns/` marker once. If the file exists already nothing
   * changes (byte for byte), whatever the payload. Of any number of racing
   * callers, in this process or others, exactly one gets `true`.
   *
   * @returns `true` when this call created the file, `false` when it existed.
   * @throws {@link ValidationError} for a bad payload, or a `path` that is empty,
   *   not a string or holds a NUL byte (field `path`); nothing is touched.
   * @throws {@link WriteFailedError} for any OS failure on the way, as {@link writeEquipment}.
   * @throws {@link NotRegularFileError} when a symlink, folder or other
   *   non-file sits at `path`; it is left as it is.
   * @throws {@link LockTimeoutError}, {@link LockError}
   * @example
   * ```ts
   * const created = await writer.writeTestRunsMarker(testRunsMarkerPath(root, "CONFOCAL_01", "PROJ-0042"),
   *   { project: "PROJ-0042", equipment: "CONFOCAL_01" });
   * ```
   */
  async writeTestRunsMarker(path: string, payload: MarkerInput, options: WriteCallOptions = {}): Promise<boolean> {
    return this.#writeMarker("test", path, payload, options);
  }

  /**
   * Write the `Runs/` marker once; see {@link writeTestRunsMarker}.
   *
   * @returns `true` when this call created the file, `false` when it existed.
   * @example
   * ```ts
   * await writer.writeRunsMarker(runsMarkerPath(root, "CONFOCAL_01", "PROJ-0042"),
   *   { project: "PROJ-0042", equipment: "CONFOCAL_01" });
   * ```
   */
  async writeRunsMarker(path: string, payload: MarkerInput, options: WriteCallOptions = {}): Promise<boolean> {
    return this.#writeMarker("experimental", path, payload, options);
  }

  /**
   * Read and validate `test_runs.json`. A missing `run_kind` reads as
   * `"test"` (the Python application omits it).
   *
   * @throws as {@link readEquipment} does.
   * @example
   * ```ts
   * const marker = await writer.readTestRunsMarker(path); // marker.run_kind === "test"
   * ```
   */
  async readTestRunsMarker(path: string): Promise<TestRunsJson> {
    requirePath(path);
    return parseMarker(await readCacheFile(path, { fs: this.#fs, maxBytes: this.#maxBytes }), "test", path);
  }

  /**
   * Read and validate `runs.json`. A missing `run_kind` reads as `"experimental"`.
   *
   * @throws as {@link readEquipment} does.
   * @example
   * ```ts
   * const marker = await writer.readRunsMarker(path); // marker.run_kind === "experimental"
   * ```
   */
  async readRunsMarker(path: string): Promise<RunsJson> {
    requirePath(path);
    return parseMarker(await readCacheFile(path, { fs: this.#fs, maxBytes: this.#maxBytes }), "experimental", path);
  }

  async #writeMarker(kind: RunKind, path: string, payload: MarkerInput, options: WriteCallOptions): Promise<boolean> {
    requirePath(path);
    const input = validateMarkerInput(payload, kind);
    const d = MARKERS[kind];
    this.#requireFits(d, stampRecord(d, input, { schema_version: d.version, run_kind: kind, created_at: input.created_at ?? STAMP }), [], path);
    try {
      await this.#checkFilesystem(path);
      return await this.#writeMarkerLocked(kind, path, input, options);
    } catch (err) {
      // A read-only mount refuses the sidecar before the lock; a marker
      // already there is still the answer. Seeing it needs no lock: a marker
      // is written once, by renaming a whole temp file into place, and never
      // changed or removed by a writer afterwards, so a regular file at the
      // path is the final marker.
      if (isReadOnly(err) && (await this.#markerPresent(path))) return false;
      throw asWriteFailure(path, err);
    }
  }

  /** Whether a regular file sits at `path` (read-only fallback of the markers). @throws {@link NotRegularFileError} as under the lock. */
  async #markerPresent(path: string): Promise<boolean> {
    let st;
    try {
      st = await (this.#fs ?? nodeFileSystem).lstat(path);
    } catch {
      return false;
    }
    if (st.isFile()) return true;
    throw new NotRegularFileError(path, st.isSymbolicLink() ? "symbolic link" : st.isDirectory() ? "directory" : "special file");
  }

  async #writeMarkerLocked(kind: RunKind, path: string, input: MarkerInput, options: WriteCallOptions): Promise<boolean> {
    // The existence check is made under the lock, so two first writers
    // cannot both see "absent".
    const locked = await this.#lock(path, "exists", options);
    try {
      const current = locked.current;
      if (current.kind === "present") return false;
      if (current.kind === "not-regular") throw current.error;
      const d = MARKERS[kind];
      const record = stampRecord(d, input, { schema_version: d.version, run_kind: kind, created_at: input.created_at ?? this.#now() });
      this.#requireFits(d, record, [], path);
      const text = encodeRecordOf(d, record);
      await locked.commit(Buffer.from(text, "utf8"), NEW_FILE_MODE, this.#durable);
      return true;
    } finally {
      await locked.release(); // nothing to do after a commit
    }
  }
}
