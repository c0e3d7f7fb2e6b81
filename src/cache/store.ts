/**
 * The one write core every cache record goes through: lock the file and
 * read it, let a policy `decide` what to do with what was found, then
 * commit or release. Everything a write needs whatever the record is here:
 * the filesystem warning (or refusal), the size bound, the clock, the
 * stale-temp sweep, keeping a corrupt file aside, the read-only fallback,
 * the error mapping and the re-entry guard. The policies (`policies/`) are
 * pure decisions; the public writers are thin facades over the two.
 *
 * @module
 */
import { dirname } from "node:path";
import {
  ExlabCacheError,
  NotFoundError,
  NotRegularFileError,
  UnsafeFilesystemError,
  ValidationError,
  errnoCode,
  type CacheWarning,
  type FileTooLargeError,
  type ValidationIssue,
} from "../errors.js";
import { nodeFileSystem, type FileSystem } from "../fs/_fs.js";
import { DEFAULT_LOCK_TIMEOUT_MS, lockAndRead } from "../fs/lock.js";
import type { Current } from "../fs/_backend.js";
import { MAX_CACHE_FILE_BYTES, readCacheFile } from "../fs/read.js";
import { describe } from "../schema/rules.js";
import { formatTimestamp } from "../schema/timestamp.js";
import { readLeadingBytes } from "./_leading.js";
import { preserveCorrupt } from "./_recovery.js";
import { asWriteFailure, filesystemOf, isReadOnly, jsonSizeBound, warnedFilesystems } from "./_failures.js";

/**
 * The issue of a record whose encoding `text` is over `limit` bytes (the read
 * bound: a larger file could never be read back), or undefined when it fits.
 * Kinds that can name the member to shorten give their own `oversize`.
 *
 * @example
 * ```ts
 * oversizeText("{}", 1)?.received; // "a record of 2 bytes"
 * ```
 */
export function oversizeText(text: string, limit: number): ValidationIssue | undefined {
  const size = Buffer.byteLength(text, "utf8");
  if (size <= limit) return undefined;
  return {
    path: "",
    expected: `a record that fits the ${limit}-byte read bound`,
    received: `a record of ${size} bytes`,
    message: `Expected the record to fit the ${limit}-byte read bound, got ${size} bytes; a larger file could not be read back`,
  };
}

/** Options of a {@link CacheStore}, and of every writer built on one. */
export interface CacheStoreOptions {
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

/** Per-call options of the write methods. */
export interface WriteCallOptions {
  /** Abandon the wait for the lock when this signal aborts. */
  signal?: AbortSignal | undefined;
}

/** What a policy is shown of the current file. */
export type Found =
  | { readonly kind: "absent" }
  /** A regular file is there (look `"exists"`: its bytes were not read). */
  | { readonly kind: "present" }
  | { readonly kind: "file"; readonly bytes: Buffer }
  /** Over the read bound: not read whole; `leading` holds its first bytes. */
  | { readonly kind: "too-large"; readonly error: FileTooLargeError; readonly leading: Buffer };

/** What a policy decides; the store carries it out. */
export type Decision<R> =
  /** Write nothing; the lock is released untouched. */
  | { readonly write: false; readonly result: R }
  | {
      readonly write: true;
      /** The whole new file, encoded once. */
      readonly text: string;
      readonly result: R;
      /** Keep the current bytes aside first (a corrupt file is never thrown away). */
      readonly keepAside?: { readonly bytes: Uint8Array | undefined; readonly problem: ExlabCacheError } | undefined;
      /** Notices to send once the write is known to fit. */
      readonly warnings?: readonly CacheWarning[] | undefined;
      /** Why `text` is over `limit` bytes, naming the member to shorten; asked only when it is. */
      readonly oversize: (limit: number) => ValidationIssue | undefined;
    };

/** What a policy may use while deciding. */
export interface DecideContext {
  /** The file being written. */
  readonly path: string;
  /** The write's timestamp, read from the clock once, on first use. @throws {@link ValidationError} for a clock that cannot be written */
  now(): string;
}

/** One decision a policy makes over what it finds: pure apart from the caller's own callbacks. */
export type Decide<R> = (found: Found, ctx: DecideContext) => Decision<R> | Promise<Decision<R>>;

/** What {@link CacheStore.change} does. */
export interface Change<R> {
  /** Read the file's bytes (`"read"`) or only see whether one is there (`"exists"`). */
  readonly look: "read" | "exists";
  readonly decide: Decide<R>;
  /**
   * On a read-only mount, where no lock can be taken, decide over a snapshot
   * instead and answer when that decision writes nothing. Only for a
   * `decide` that calls no caller code: it may run without the lock.
   * @default false
   */
  readonly readOnlyFallback?: boolean;
  /**
   * Refuse with `not_found` before locking when there is no file (an update
   * never creates): the lock would otherwise create the folder and sidecar
   * of a file that is not there. The decision still sees what is there
   * under the lock.
   * @default false
   */
  readonly mustExist?: boolean;
}

/** Permission bits of a new cache file, before the umask and default ACLs (a rewrite keeps the old file's). */
const NEW_FILE_MODE = 0o666;

/** An error thrown by a policy or a caller's callback: passed on as it is, never mapped. */
class Decided {
  constructor(readonly error: unknown) {}
}

/**
 * The write core. Instances hold only options; one serves any number of
 * files and concurrent calls.
 *
 * @example
 * ```ts
 * const store = new CacheStore({ lockTimeoutMs: 5000 });
 * const created = await store.change(path, {
 *   look: "exists",
 *   decide: (found) => decideWriteOnce(found, () => ({ text: "{}", oversize: () => undefined })),
 * });
 * ```
 */
export class CacheStore {
  readonly #lockTimeoutMs: number;
  readonly #clock: () => Date;
  readonly #warn: (warning: CacheWarning) => void;
  readonly #durable: boolean;
  readonly #fs: FileSystem | undefined;
  readonly #refuseUnsafe: boolean;
  /** Largest cache file read or written, in bytes. */
  readonly maxBytes: number;

  constructor(options: CacheStoreOptions = {}) {
    this.#lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
    this.#clock = options.clock ?? (() => new Date());
    this.#warn = options.onWarning ?? (() => undefined);
    this.#durable = options.durable ?? true;
    this.maxBytes = options.maxFileBytes ?? MAX_CACHE_FILE_BYTES;
    this.#fs = options.fs;
    this.#refuseUnsafe = options.refuseUnsafeFilesystems ?? false;
  }

  /** The clock's time as `YYYY-MM-DDTHH:MM:SSZ`. @throws {@link ValidationError} (field `clock`) for an invalid date or one outside years 0001-9999 */
  now(): string {
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
   * Refuse, before anything touches the disk, a record that cannot fit the
   * read bound: a cheap upper bound of its encoded size first, the exact
   * `oversize` only when the bound is over the limit.
   * @throws {@link ValidationError} naming the member to shorten.
   */
  requireFits(record: unknown, oversize: (limit: number) => ValidationIssue | undefined, path: string): void {
    if (jsonSizeBound(record) <= this.maxBytes) return;
    const issue = oversize(this.maxBytes);
    if (issue !== undefined) throw new ValidationError([issue], { path });
  }

  /** The bytes of `path` as they are now, without a lock (a whole version: writers rename). */
  read(path: string): Promise<Buffer> {
    return readCacheFile(path, { fs: this.#fs, maxBytes: this.maxBytes });
  }

  /**
   * Lock `path`, show the policy what is there, and carry out its decision:
   * write (atomically, durably, keeping the old file's mode and owner) or
   * release. Every step, the decision included, happens under the lock, and
   * the decision runs as a holder of it: a callback that locks the same file
   * fails at once with `lock_reentry`.
   *
   * @returns the decision's result.
   * @throws whatever the decision throws, as it is; {@link ValidationError} for a
   *   text over the read bound; {@link UnsafeFilesystemError},
   *   {@link PermissionDeniedError}, {@link WriteFailedError},
   *   {@link LockTimeoutError}, {@link LockReentryError}, {@link LockError},
   *   {@link NotRegularFileError}; the signal's reason on abort.
   */
  async change<R>(path: string, change: Change<R>, options: WriteCallOptions = {}): Promise<R> {
    try {
      if (change.mustExist === true) await this.#requireFile(path);
      await this.#checkFilesystem(path);
      return await this.#locked(path, change, options);
    } catch (err) {
      if (err instanceof Decided) throw err.error;
      if (change.readOnlyFallback === true && isReadOnly(err)) {
        const kept = await this.#keptOnSnapshot(path, change);
        if (kept !== undefined) return kept.result;
      }
      throw asWriteFailure(path, err);
    }
  }

  /**
   * The decision `change` would make now, over a snapshot read without the
   * lock, its size checked as a write's is. Nothing is written.
   * @throws as the decision does; {@link ValidationError} for a text over the
   *   read bound; the read's {@link NotRegularFileError} or OS error.
   */
  async preview<C extends Change<unknown>>(path: string, change: C): Promise<Awaited<ReturnType<C["decide"]>>> {
    const decision = (await change.decide(await this.#snapshot(path, change.look), this.#context(path))) as Awaited<ReturnType<C["decide"]>>;
    if (decision.write) this.#checkText(decision, path);
    return decision;
  }

  async #requireFile(path: string): Promise<void> {
    try {
      await (this.#fs ?? nodeFileSystem).lstat(path);
    } catch (err) {
      if (errnoCode(err) === "ENOENT" || errnoCode(err) === "ENOTDIR") throw new NotFoundError(path);
      throw err;
    }
  }

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

  #context(path: string): DecideContext {
    let now: string | undefined;
    return { path, now: () => (now ??= this.now()) };
  }

  #checkText(decision: Extract<Decision<unknown>, { write: true }>, path: string): void {
    if (Buffer.byteLength(decision.text, "utf8") <= this.maxBytes) return;
    const issue = decision.oversize(this.maxBytes) ?? oversizeText(decision.text, this.maxBytes);
    if (issue !== undefined) throw new ValidationError([issue], { path });
  }

  async #found(path: string, current: Current): Promise<Found> {
    switch (current.kind) {
      case "not-regular":
        throw current.error;
      case "too-large":
        // Too big to read whole; its leading bytes may still say what a
        // rewrite must carry over (first_seen_at).
        return { kind: "too-large", error: current.error, leading: await readLeadingBytes(path, this.#fs ?? nodeFileSystem) };
      case "file":
        return { kind: "file", bytes: current.bytes };
      case "present":
        return current;
      default:
        return { kind: "absent" };
    }
  }

  async #locked<R>(path: string, change: Change<R>, options: WriteCallOptions): Promise<R> {
    const locked = await lockAndRead(path, {
      look: change.look,
      maxBytes: this.maxBytes,
      sweep: true,
      onSwept: (stale) => this.#warn({ code: "stale_temp_removed", path: stale, message: `Removed ${stale}, left by a writer that did not finish` }),
      fs: this.#fs,
      timeoutMs: this.#lockTimeoutMs,
      signal: options.signal,
    });
    try {
      return await locked.hold(async () => {
        const found = await this.#found(path, locked.current);
        const ctx = this.#context(path);
        let decision: Decision<R>;
        try {
          decision = await change.decide(found, ctx);
          if (decision.write) this.#checkText(decision, path);
        } catch (err) {
          throw new Decided(err);
        }
        if (!decision.write) return decision.result;
        for (const w of decision.warnings ?? []) this.#warn(w);
        const aside = decision.keepAside;
        if (aside !== undefined) {
          await preserveCorrupt(path, { ...aside, now: ctx.now(), fs: this.#fs, durable: this.#durable, warn: this.#warn });
        }
        await locked.commit(Buffer.from(decision.text, "utf8"), NEW_FILE_MODE, this.#durable);
        return decision.result;
      });
    } finally {
      await locked.release(); // nothing to do after a commit
    }
  }

  /** What is at `path` now, read without the lock, shown as under it. */
  async #snapshot(path: string, look: Change<unknown>["look"]): Promise<Found> {
    const fs = this.#fs ?? nodeFileSystem;
    if (look === "exists") {
      let st;
      try {
        st = await fs.lstat(path);
      } catch (err) {
        if (errnoCode(err) === "ENOENT") return { kind: "absent" };
        throw err;
      }
      if (st.isFile()) return { kind: "present" };
      throw new NotRegularFileError(path, st.isSymbolicLink() ? "symbolic link" : st.isDirectory() ? "directory" : "special file");
    }
    try {
      return { kind: "file", bytes: await this.read(path) };
    } catch (err) {
      if (errnoCode(err) === "ENOENT") return { kind: "absent" };
      if (err instanceof ExlabCacheError && err.code === "file_too_large") {
        return { kind: "too-large", error: err as FileTooLargeError, leading: await readLeadingBytes(path, fs) };
      }
      throw err;
    }
  }

  /**
   * On a read-only mount: the decision over a snapshot, when it writes
   * nothing. A snapshot is enough to say "nothing to do": writers replace
   * the file only by renaming a whole temp file over it, so the read sees
   * one complete version, and since nothing is written the answer is the
   * one the lock would have given at the instant of the read. Any doubt is
   * undefined: the caller reports the refused write. A non-file where a
   * file-or-nothing was looked for is reported as under the lock.
   */
  async #keptOnSnapshot<R>(path: string, change: Change<R>): Promise<{ result: R } | undefined> {
    let found: Found;
    try {
      found = await this.#snapshot(path, change.look);
    } catch (err) {
      if (change.look === "exists" && err instanceof NotRegularFileError) throw err;
      return undefined;
    }
    try {
      const decision = await change.decide(found, this.#context(path));
      return decision.write ? undefined : { result: decision.result };
    } catch {
      return undefined;
    }
  }
}
