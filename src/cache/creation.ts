/**
 * `CreationCacheWriter`: creates, updates and reads `creation.json`, the
 * provenance record of every project and run folder. A thin facade over the
 * store: create is the create-once policy, every change (a mutator, an
 * override, a tombstone, the sync status) is the update policy under the
 * one sidecar lock the Python application's `FileLock` takes, so updates of
 * ours and of the application's never lose each other.
 *
 * @module
 */
import { ValidationError } from "../errors.js";
import { requirePath } from "../fs/_path.js";
import {
  SYNC_STATUSES,
  creationRecord,
  decodeCreation,
  encodeCreation,
  newCreationRecord,
  parseCreation,
  type CreationDocument,
  type CreationInput,
  type CreationJson,
  type SyncStatus,
} from "../schema/kinds/creation.js";
import {
  addOverride,
  buildOverrideEntry,
  revokeOverride,
  withSyncStatus,
  type OverrideEntry,
  type OverrideRequest,
  type RevokeRequest,
  type TombstoneEntry,
} from "../schema/override-entries.js";
import { describe } from "../schema/rules.js";
import { decideCreateOnce } from "./policies/create-once.js";
import { decideUpdate, type Mutator, type RecordCodec } from "./policies/update.js";
import { CacheStore, oversizeText, type CacheStoreOptions, type WriteCallOptions } from "./store.js";

/** Options of {@link CreationCacheWriter}: the same as `EquipmentCacheWriter`'s. */
export type CreationCacheWriterOptions = CacheStoreOptions;

/**
 * The codec of one update: decodes the file once, keeping the decoded
 * document so that the encode writes only what changed (unknown members at
 * every depth and the raw text of numbers stay as they were).
 */
function creationCodec(): RecordCodec<CreationJson> {
  let base: CreationDocument | undefined;
  return {
    decode(bytes, path) {
      base = decodeCreation(bytes, path);
      return creationRecord(base);
    },
    encode: (record, path) => encodeCreation(record, base, path),
  };
}


/**
 * Creates, updates and reads `creation.json` files. Instances hold only
 * options; one serves any number of files and concurrent calls.
 *
 * @example
 * ```ts
 * const creations = new CreationCacheWriter();
 * const path = runCreationPath("/data/lab", "CONFOCAL_01", "Cortex Q3 Pilot", "Run_2026-04-17T14-32");
 * await creations.create(path, input);
 * await creations.setSyncStatus(path, "synced");
 * ```
 */
export class CreationCacheWriter {
  readonly #store: CacheStore;

  constructor(options: CreationCacheWriterOptions = {}) {
    this.#store = new CacheStore(options);
  }

  /**
   * Write a new `creation.json` at `path`, once. The record is checked and
   * encoded before anything touches the disk (`created_at` defaults to the
   * clock at the call; `schema_version` is always 1.9); under the lock, a
   * file already there is refused and left byte for byte. Of racing
   * creators, in this process or others, exactly one succeeds.
   *
   * @returns the record as written.
   * @throws {@link ValidationError} for a bad record or path; nothing is touched.
   * @throws {@link AlreadyExistsError} (`already_exists`) when anything is at `path`.
   * @throws {@link PermissionDeniedError}, {@link WriteFailedError}, {@link UnsafeFilesystemError},
   *   {@link LockTimeoutError}, {@link LockError}; the signal's reason on abort.
   * @example
   * ```ts
   * const written = await creations.create(path, {
   *   created_by: "asmith", level: "project",
   *   lims_project: { uid: "", short_id: "", name_at_creation: "Cortex Q3 Pilot" },
   *   template: { name: "project_default", version: "1.0", source_path: "/opt/templates/project_default" },
   *   variables: {}, paths: { local: "/data/lab/CONFOCAL_01/Cortex Q3 Pilot", nas: "" },
   * });
   * ```
   */
  async create(path: string, record: CreationInput, options: WriteCallOptions = {}): Promise<CreationJson> {
    requirePath(path);
    const created = newCreationRecord(record, { created_at: this.#store.now() });
    const text = encodeCreation(created, undefined, path);
    this.#store.requireFits(text, (limit) => oversizeText(text, limit), path);
    return this.#store.change(path, { look: "exists", decide: (found, ctx) => decideCreateOnce(found, ctx, () => ({ text, oversize: (limit) => oversizeText(text, limit) }), created) }, options);
  }

  /**
   * Change the `creation.json` at `path` under its lock: read it (version
   * gate, migration defaults, validation), hand it to `mutator` (change it in
   * place, or return a new record), validate the result and write it. Only
   * what changed is re-encoded: unknown members at every depth and the raw
   * text of numbers stay; a field set back to its default is left out and
   * stays out; an older minor is written at 1.9, a newer one keeps its
   * version.
   *
   * @returns the record as written.
   * @throws {@link NotFoundError} (`not_found`) when there is no file; nothing is created.
   * @throws {@link SchemaMajorMismatchError} for a file of another major or
   *   without a version; {@link MalformedFileError}, {@link ValidationError}
   *   for a file that cannot be read, or a mutated record that breaks the
   *   schema; whatever `mutator` throws. In each case the file is untouched
   *   and the lock released.
   * @throws {@link LockReentryError} at once when `mutator` locks this same file.
   * @throws as {@link create} does for the lock and the disk.
   * @example
   * ```ts
   * await creations.update(path, (r) => { r.variables["operator"] = "bjones"; });
   * ```
   */
  async update(path: string, mutator: Mutator<CreationJson>, options: WriteCallOptions = {}): Promise<CreationJson> {
    requirePath(path);
    if (typeof mutator !== "function") {
      throw new ValidationError([{ path: "mutator", expected: "a function", received: describe(mutator), message: `Expected \`mutator\` to be a function, got ${describe(mutator)}` }], { what: "update arguments" });
    }
    const codec = creationCodec();
    return this.#store.change(path, { look: "read", mustExist: true, decide: (found, ctx) => decideUpdate(codec, mutator, found, ctx) }, options);
  }

  /**
   * Read and check `creation.json` without a lock (writers replace it by
   * rename, so this sees one whole version). Migration defaults are applied
   * in memory; an entry without an `id` is shown with one derived from its
   * content and place, the same on every read.
   *
   * @throws Node's `ENOENT` error when the file does not exist.
   * @throws {@link SchemaMajorMismatchError}, {@link MalformedFileError},
   *   {@link ValidationError}, {@link FileTooLargeError}, {@link NotRegularFileError}
   * @example
   * ```ts
   * const { sync_status, run_kind } = await creations.read(path);
   * ```
   */
  async read(path: string): Promise<CreationJson> {
    requirePath(path);
    return parseCreation(await this.#store.read(path), path);
  }

  /**
   * Record an override entry, as the application's endpoint shapes it: a
   * fresh UUID v4 `id`, `recorded_at` from the clock, `revoked: false`,
   * `expires_at` (`null` for never). The request is checked before the
   * lock is taken.
   *
   * @returns the entry appended.
   * @throws {@link ValidationError} for an unknown `problem_class`, a `reason`
   *   outside 10–500 characters, an `expires_at` that is not
   *   `YYYY-MM-DDTHH:MM:SSZ`; as {@link update} does.
   * @example
   * ```ts
   * const { id } = await creations.addOverride(path, { problem_class: "mode_prefix_mismatch",
   *   reason: "Folder renamed by hand; approved by PI.", operator: "asmith" });
   * ```
   */
  async addOverride(path: string, request: OverrideRequest, options: WriteCallOptions = {}): Promise<OverrideEntry> {
    requirePath(path);
    buildOverrideEntry(request, { now: new Date(0), uuid: () => "" }); // checks the request only
    return this.#append(path, (r, stamps) => addOverride(r, request, stamps), options);
  }

  /**
   * Revoke an override entry with a tombstone (`revokes` its id,
   * `revoked: true`). The entries are append-only: nothing is removed.
   *
   * @returns the tombstone appended.
   * @throws {@link OverrideNotRevocableError} (`override_not_revocable`) when no
   *   entry has that id, it is already revoked, or it is itself a tombstone;
   *   {@link ValidationError} for a bad request; as {@link update} does.
   * @example
   * ```ts
   * await creations.revokeOverride(path, { id, reason: "Folder fixed; no longer needed.", operator: "asmith" });
   * ```
   */
  async revokeOverride(path: string, request: RevokeRequest, options: WriteCallOptions = {}): Promise<TombstoneEntry> {
    requirePath(path);
    return this.#append(path, (r, stamps) => revokeOverride(r, request, stamps), options);
  }

  /** Append the entry `build` makes from the current record, stamped now, under the lock. */
  async #append<E>(path: string, build: (r: CreationJson, stamps: { now: Date }) => { record: CreationJson; entry: E }, options: WriteCallOptions): Promise<E> {
    let added: { entry: E } | undefined;
    await this.update(
      path,
      (r) => {
        const next = build(r, { now: new Date(this.#store.now()) });
        added = next;
        return next.record;
      },
      options,
    );
    return (added as { entry: E }).entry;
  }

  /**
   * Set `sync_status`. `pending` (the default) is written by leaving the key
   * out, and it stays out.
   *
   * @returns the record as written.
   * @throws {@link ValidationError} for a status this version does not know (checked before the lock); as {@link update} does.
   * @example
   * ```ts
   * await creations.setSyncStatus(path, "blocked_by_validation");
   * ```
   */
  async setSyncStatus(path: string, status: SyncStatus, options: WriteCallOptions = {}): Promise<CreationJson> {
    requirePath(path);
    if (!(SYNC_STATUSES as readonly unknown[]).includes(status)) {
      throw new ValidationError([{ path: "sync_status", expected: `one of ${SYNC_STATUSES.join(", ")}`, received: describe(status), message: `Expected \`sync_status\` to be one of ${SYNC_STATUSES.join(", ")}, got ${describe(status)}` }], { what: "sync status" });
    }
    return this.update(path, (r) => withSyncStatus(r, status), options);
  }
}

