/**
 * `EquipmentCacheWriter`: reads and writes `equipment.json` and the two run
 * markers. A thin facade: each method validates its payload, then hands the
 * store (lock, read, decide, commit) the policy its kind follows: rewrite
 * for `equipment.json`, write-once for the markers.
 *
 * @module
 */
import { requirePath } from "../fs/_path.js";
import { EQUIPMENT, parseEquipment, validateEquipmentInput, type EquipmentInput, type EquipmentJson } from "../schema/equipment.js";
import { MARKERS, parseMarker, validateMarkerInput, type MarkerInput, type RunKind, type RunsJson, type TestRunsJson } from "../schema/marker.js";
import { encodeRecordOf, oversizeIssue, stampRecord } from "../schema/record.js";
import { equipmentChange, type MirroredField } from "./equipment.js";
import { decideWriteOnce } from "./policies/write-once.js";
import { CacheStore, type CacheStoreOptions, type WriteCallOptions } from "./store.js";

export type { WriteCallOptions } from "./store.js";

/** Options of {@link EquipmentCacheWriter}: those of the {@link CacheStore} it writes through. */
export type EquipmentCacheWriterOptions = CacheStoreOptions;

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

/** A timestamp as long as every real one, to size a record before its stamps are known. */
const STAMP = "2000-01-01T00:00:00Z";

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
  readonly #store: CacheStore;

  constructor(options: EquipmentCacheWriterOptions = {}) {
    this.#store = new CacheStore(options);
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
    const smallest = stampRecord(EQUIPMENT, input, { schema_version: EQUIPMENT.version, first_seen_at: STAMP, last_modified_at: STAMP });
    this.#store.requireFits(smallest, (limit) => oversizeIssue(EQUIPMENT, smallest, [], limit), path);
    return (await this.#store.change(path, equipmentChange(input, keepUnchanged), options)) as EquipmentWriteOutcome;
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
    return parseEquipment(await this.#store.read(path), path);
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
    return parseMarker(await this.#store.read(path), "test", path);
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
    return parseMarker(await this.#store.read(path), "experimental", path);
  }

  async #writeMarker(kind: RunKind, path: string, payload: MarkerInput, options: WriteCallOptions): Promise<boolean> {
    requirePath(path);
    const input = validateMarkerInput(payload, kind);
    const d = MARKERS[kind];
    const stamp = (createdAt: () => string) => stampRecord(d, input, { schema_version: d.version, run_kind: kind, created_at: input.created_at ?? createdAt() });
    const smallest = stamp(() => STAMP);
    this.#store.requireFits(smallest, (limit) => oversizeIssue(d, smallest, [], limit), path);
    // The existence check is made under the lock, so two first writers
    // cannot both see "absent"; on a read-only mount a marker already there
    // is still the answer (a marker is written once, whole, by rename).
    return this.#store.change(
      path,
      {
        look: "exists",
        readOnlyFallback: true,
        decide: (found, ctx) =>
          decideWriteOnce(found, () => {
            const record = stamp(() => ctx.now());
            return { text: encodeRecordOf(d, record), oversize: (limit) => oversizeIssue(d, record, [], limit) };
          }),
      },
      options,
    );
  }
}
