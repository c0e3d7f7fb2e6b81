/**
 * `ReadmeFieldsCacheWriter`: writes and reads `readme_fields.json`. The
 * application writes it with no lock; this writer takes the sidecar lock
 * all the same (the application never waits for it, so it costs it
 * nothing), and a rewrite keeps what a newer version added: the replace
 * policy over the kind's descriptor.
 *
 * @module
 */
import { requirePath } from "../fs/_path.js";
import { validateInput } from "../schema/record.js";
import {
  README_FIELDS,
  README_FIELDS_VERSION,
  encodeReadmeFields,
  parseReadmeFields,
  type ReadmeFieldsInput,
  type ReadmeFieldsJson,
} from "../schema/kinds/readme-fields.js";
import { decideReplace, type ReplaceResult } from "./policies/replace.js";
import { CacheStore, type CacheStoreOptions, type WriteCallOptions } from "./store.js";

/** Options of {@link ReadmeFieldsCacheWriter}: those of the store it writes through. */
export type ReadmeFieldsCacheWriterOptions = CacheStoreOptions;

/**
 * What {@link ReadmeFieldsCacheWriter.write} did: `created` (no file),
 * `updated` (a valid file was replaced, keeping what this version does not
 * know), `repaired` (an unreadable file was kept aside and replaced).
 */
export type ReadmeFieldsWriteOutcome = ReplaceResult<ReadmeFieldsJson>;

/** The record `input` makes, `generated_at` from the clock when absent. */
function recordOf(input: ReadmeFieldsInput, now: () => string): ReadmeFieldsJson {
  return {
    schema_version: README_FIELDS_VERSION,
    generated_at: input.generated_at ?? now(),
    core_fields: input.core_fields,
    system_fields: input.system_fields,
    template_fields: input.template_fields ?? {},
    config_fields: input.config_fields ?? {},
    custom_fields: input.custom_fields ?? [],
  };
}

/**
 * Writes and reads `readme_fields.json`. Instances hold only options.
 *
 * @example
 * ```ts
 * const readme = new ReadmeFieldsCacheWriter();
 * await readme.write(path, { core_fields: { label: "Sweep", operator: "asmith", objective: "Characterize." },
 *   system_fields: { created: "2026-04-17T14:32:00Z", created_by: "asmith" } });
 * (await readme.read(path)).core_fields.label; // "Sweep"
 * ```
 */
export class ReadmeFieldsCacheWriter {
  readonly #store: CacheStore;

  constructor(options: ReadmeFieldsCacheWriterOptions = {}) {
    this.#store = new CacheStore(options);
  }

  /**
   * Write `readme_fields.json` at `path` under its sidecar lock, replacing
   * what is there (as the application's generator does) but keeping the
   * members this version does not know and a newer minor's version. A file
   * that is not a valid record is kept beside it
   * (`readme_fields.json.corrupt-<time>`) and reported to `onWarning`.
   *
   * @returns what was found and the record written.
   * @throws {@link ValidationError} for a bad payload or path; nothing is touched.
   * @throws {@link SchemaMajorMismatchError} when the file is of another major; it is left as it is.
   * @throws {@link LockTimeoutError}, {@link PermissionDeniedError},
   *   {@link WriteFailedError}, {@link UnsafeFilesystemError}, {@link LockError}, {@link NotRegularFileError}
   * @example
   * ```ts
   * const { status } = await readme.write(path, { generated_at: "2026-04-17T14:32:00Z",
   *   core_fields: { label: "Sweep", operator: "asmith", objective: "Characterize." },
   *   system_fields: { created: "2026-04-17T14:32:00Z" }, template_fields: { sample_type: "Fixed tissue" } });
   * ```
   */
  async write(path: string, payload: ReadmeFieldsInput, options: WriteCallOptions = {}): Promise<ReadmeFieldsWriteOutcome> {
    requirePath(path);
    const input = validateInput(README_FIELDS, payload);
    // Encoded once before the lock, so a payload JSON cannot carry is refused before the disk.
    encodeReadmeFields(recordOf(input, () => "2000-01-01T00:00:00Z"), undefined, path);
    return this.#store.change(path, { look: "read", decide: (found, ctx) => decideReplace(README_FIELDS, () => recordOf(input, () => ctx.now()), found, ctx) }, options);
  }

  /**
   * Read and check `readme_fields.json`, without a lock.
   *
   * @throws Node's `ENOENT` error when the file does not exist.
   * @throws {@link SchemaMajorMismatchError}, {@link MalformedFileError},
   *   {@link ValidationError}, {@link FileTooLargeError}, {@link NotRegularFileError}
   * @example
   * ```ts
   * const { system_fields } = await readme.read(path);
   * ```
   */
  async read(path: string): Promise<ReadmeFieldsJson> {
    requirePath(path);
    return parseReadmeFields(await this.#store.read(path), path);
  }
}
