/**
 * `IngestCacheWriter`: creates, advances and reads `ingest.json`. A thin
 * facade over the store: create is the create-once policy, advance the
 * forward-step policy with the state machine as its guard, read a lock-free
 * snapshot.
 *
 * @module
 */
import { hostname } from "node:os";
import { ValidationError } from "../errors.js";
import { requirePath } from "../fs/_path.js";
import { documentRecord, writtenVersion } from "../schema/document.js";
import {
  INGEST,
  INGEST_STATES,
  decodeIngest,
  encodeIngest,
  ingestHistoryEntry,
  ingestStepRefusal,
  newIngestRecord,
  parseIngest,
  type IngestDocument,
  type IngestInput,
  type IngestJson,
  type IngestState,
  type IngestStepDetails,
} from "../schema/kinds/ingest.js";
import { describe } from "../schema/rules.js";
import { decideCreateOnce } from "./policies/create-once.js";
import { decideTransition } from "./policies/transition.js";
import type { RecordCodec } from "./policies/update.js";
import { CacheStore, type CacheStoreOptions, type WriteCallOptions } from "./store.js";

/** Options of {@link IngestCacheWriter}: the store's, and the host name written into history entries. */
export interface IngestCacheWriterOptions extends CacheStoreOptions {
  /** The `host` of the entries this writer appends, unless a call names one. @default os.hostname() */
  host?: string;
}

/** A decoded file and its typed view: what an advance changes and writes back onto. */
interface Advancing {
  readonly doc: IngestDocument;
  readonly record: IngestJson;
}

/** A timestamp as long as every real one, to check a step's details before the clock is read. */
const STAMP = "2000-01-01T00:00:00Z";

const codec: RecordCodec<Advancing> = {
  decode(bytes, path) {
    const doc = decodeIngest(bytes, path);
    return { doc, record: documentRecord(doc) };
  },
  encode: (value, path) => encodeIngest(value.record, value.doc, path),
};

function requireState(to: unknown): asserts to is IngestState {
  if (typeof to === "string" && (INGEST_STATES as readonly string[]).includes(to)) return;
  const expected = `one of ${INGEST_STATES.map((s) => JSON.stringify(s)).join(", ")}`;
  throw new ValidationError([{ path: "to", expected, received: describe(to), message: `Expected \`to\` to be ${expected}, got ${describe(to)}` }], { what: "state argument" });
}

/**
 * Reads and writes `ingest.json`, the lifecycle record of a staged run.
 * Instances hold only options; one serves any number of files and
 * concurrent calls.
 *
 * @example
 * ```ts
 * const ingest = new IngestCacheWriter();
 * await ingest.create(path, { project_name: "Cortex Q3 Pilot", equipment_id: "CONFOCAL_01", run_kind: "experimental",
 *   run_path: "CONFOCAL_01/PROJ-0042/Runs/Run_2026-04-17T14-32", transport: "smb_mount" });
 * await ingest.advance(path, "complete", { files_received: 142, bytes_received: 48293847234 });
 * (await ingest.read(path)).current_state; // "complete"
 * ```
 */
export class IngestCacheWriter {
  readonly #store: CacheStore;
  readonly #host: string | undefined;

  constructor(options: IngestCacheWriterOptions = {}) {
    const { host, ...store } = options;
    this.#store = new CacheStore(store);
    this.#host = host;
  }

  /**
   * Create `ingest.json` at `path` in state `staging`, with its first history
   * entry (`state`, `at` from the clock, `host`). Whether a file is already
   * there is decided under the lock, so of racing creators (in this process
   * or others, ours or the application's) exactly one creates it.
   *
   * @returns the record as written.
   * @throws {@link AlreadyExistsError} (`already_exists`) when anything is at
   *   `path`; it is left byte for byte as it was.
   * @throws {@link ValidationError} for a bad payload or path; nothing is touched.
   * @throws {@link LockTimeoutError}, {@link PermissionDeniedError},
   *   {@link WriteFailedError}, {@link UnsafeFilesystemError}, {@link LockError}
   * @example
   * ```ts
   * const record = await ingest.create(path, { project_name: "P", equipment_id: "E", run_kind: "test",
   *   run_path: "E/P/TestRuns/TestRun_2026-04-17T14-32", transport: "file_transfer" });
   * record.history[0]; // { state: "staging", at: "2026-04-17T14:35:00Z", host: "staging-01" }
   * ```
   */
  async create(path: string, payload: IngestInput, options: WriteCallOptions & { host?: string } = {}): Promise<IngestJson> {
    requirePath(path);
    const host = options.host ?? this.#host ?? hostname();
    newIngestRecord(payload, STAMP, host); // a bad payload is refused before the lock
    return this.#store.change(
      path,
      {
        look: "exists",
        decide: (found, ctx) => {
          const record = newIngestRecord(payload, ctx.now(), host);
          return decideCreateOnce(found, ctx, () => ({ text: encodeIngest(record, undefined, path), oversize: () => undefined }), record);
        },
      },
      options,
    );
  }

  /**
   * Move `ingest.json` one step forward to `to`, appending its history entry
   * (`state`, `at`, `host`, then `files_received`/`bytes_received` for
   * `complete` and `nas_path`/`checksum_file` for `sync_verified`, each only
   * when given). Read, check and write happen under one lock, so of racing
   * advancers for the same step exactly one succeeds. Members this version
   * does not know are kept at every depth, a newer minor's version is kept,
   * an older one is bumped to 1.1.
   *
   * @returns the record as written.
   * @throws {@link IllegalTransitionError} (`illegal_transition`) for a skip,
   *   a repeat, a step back, a step out of `cleared`, a step from a state this
   *   version does not know, or details the state does not take; the file is
   *   byte for byte as it was.
   * @throws {@link NotFoundError} when there is no file (nothing is created).
   * @throws {@link ValidationError} for an unknown state, an unknown detail
   *   or a bad value; {@link SchemaMajorMismatchError},
   *   {@link MalformedFileError} or {@link ValidationError} for a file that
   *   cannot be read; as {@link create} for the rest.
   * @example
   * ```ts
   * await ingest.advance(path, "sync_verified", { nas_path: "//nas01/lab/CONFOCAL_01/PROJ-0042/Runs/Run_2026-04-17T14-32" });
   * ```
   */
  async advance(path: string, to: IngestState, details: IngestStepDetails = {}, options: WriteCallOptions = {}): Promise<IngestJson> {
    requirePath(path);
    requireState(to);
    // A non-object `details` is refused by the entry check below, not by a TypeError here.
    const own = typeof details === "object" && details !== null && Object.hasOwn(details, "host") ? details.host : undefined;
    const host = own ?? this.#host ?? hostname();
    // Checked before the lock: details that do not fit are refused whatever the file says.
    ingestHistoryEntry(to, STAMP, host, details, path);
    const result = await this.#store.change(
      path,
      {
        look: "read",
        mustExist: true,
        decide: (found, ctx) =>
          decideTransition(
            codec,
            (current) => ingestStepRefusal(current.record, to, path),
            (current) => {
              current.record.schema_version = writtenVersion(INGEST, current.doc);
              current.record.current_state = to;
              current.record.history.push(ingestHistoryEntry(to, ctx.now(), host, details, path));
            },
            found,
            ctx,
          ),
      },
      options,
    );
    return result.record;
  }

  /**
   * Read and check `ingest.json`. Takes no lock and never waits on a writer
   * (the application's read takes the exclusive lock): writers replace the
   * file by rename, so this sees one whole version.
   *
   * @throws Node's `ENOENT` error when the file does not exist.
   * @throws {@link SchemaMajorMismatchError}, {@link MalformedFileError},
   *   {@link ValidationError}, {@link FileTooLargeError}, {@link NotRegularFileError}
   * @example
   * ```ts
   * const { current_state, history } = await ingest.read(path);
   * ```
   */
  async read(path: string): Promise<IngestJson> {
    requirePath(path);
    return parseIngest(await this.#store.read(path), path);
  }
}
