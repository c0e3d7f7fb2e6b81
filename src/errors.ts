/**
 * Every error this package throws on purpose. Each has a stable snake_case
 * `code` that callers branch on, a human `message`, the `path` involved where
 * there is one, and `toEnvelope()` for the §4.6.3 error envelope.
 *
 * @module
 */

/** The §4.6.3 error envelope: what a client receives for a structured error. */
export interface ErrorEnvelope {
  error: {
    code: string;
    message: string;
    field?: string;
    details?: Record<string, unknown>;
  };
}

/** Constructor options shared by every {@link ExlabCacheError}. */
export interface ExlabCacheErrorOptions {
  /** The file the error is about. */
  path?: string | undefined;
  /** The field (dotted path) the error is about. */
  field?: string | undefined;
  /** Extra machine-readable facts, rendered as the envelope's `details`. */
  details?: Record<string, unknown> | undefined;
  /** The underlying error, when this one wraps another. */
  cause?: unknown;
}

/**
 * Base class of every structured error of this package.
 *
 * @example
 * ```ts
 * try { await writer.readEquipment(p); }
 * catch (e) { if (e instanceof ExlabCacheError) console.log(JSON.stringify(e.toEnvelope())); }
 * ```
 */
export class ExlabCacheError extends Error {
  /** Stable identifier; never changes between releases. */
  readonly code: string;
  /** The file involved, when there is one. */
  readonly path: string | undefined;
  /** The field involved, when there is one. */
  readonly field: string | undefined;
  /** Extra machine-readable facts. */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, message: string, options: ExlabCacheErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.path = options.path;
    this.field = options.field;
    this.details = options.details;
  }

  /** Render as the §4.6.3 envelope; `path`, when set, is part of `details`. */
  toEnvelope(): ErrorEnvelope {
    const error: ErrorEnvelope["error"] = { code: this.code, message: this.message };
    if (this.field !== undefined) error.field = this.field;
    const details = { ...this.details };
    if (this.path !== undefined && details["path"] === undefined) details["path"] = this.path;
    if (Object.keys(details).length > 0) error.details = details;
    return { error };
  }
}

/**
 * A file (or a version string) of a schema major this reader does not speak.
 * A missing, empty or non-`MAJOR.MINOR` version is a mismatch too: the reader
 * cannot tell what it is looking at.
 */
export class SchemaMajorMismatchError extends ExlabCacheError {
  /** The major this reader speaks. */
  readonly expectedMajor: number;
  /** What the file says, as text (`"null"` or `"missing"` when absent). */
  readonly found: string;

  constructor(expectedMajor: number, found: string, options: { path?: string | undefined } = {}) {
    const where = options.path === undefined ? "" : ` in ${options.path}`;
    super(
      "schema_major_mismatch",
      `Expected \`schema_version\` of major ${expectedMajor} (${expectedMajor}.x)${where}, got \`${found}\``,
      { path: options.path, field: "schema_version", details: { expected_major: expectedMajor, found } },
    );
    this.expectedMajor = expectedMajor;
    this.found = found;
  }
}

/** One problem found by validation. */
export interface ValidationIssue {
  /** Dotted field path, e.g. `id` or `equipment.2.local_root`; `""` for the whole value. */
  path: string;
  /** What was expected, e.g. `string matching ^[A-Z][A-Z0-9_]*$ (max 32)`. */
  expected: string;
  /** A short rendering of what was found. */
  received: string;
  /** One sentence for people. */
  message: string;
}

/** A record or an argument that breaks its schema. Lists every problem found. */
export class ValidationError extends ExlabCacheError {
  /** Every problem, in field order. Never empty. */
  readonly issues: readonly ValidationIssue[];

  constructor(issues: readonly ValidationIssue[], options: { path?: string | undefined; what?: string } = {}) {
    const subject = options.path ?? options.what ?? "value";
    const list = issues.map((i) => i.message).join("; ");
    const first = issues[0];
    super("validation_failed", `Invalid ${subject}: ${list}`, {
      path: options.path,
      field: first?.path === "" ? undefined : first?.path,
      details: { issues: issues.map((i) => ({ ...i })) },
    });
    this.issues = issues;
  }
}

/**
 * A tombstone was asked for an override entry it cannot revoke: no entry has
 * that id (`not_found`), a tombstone already revokes it (`already_revoked`),
 * or the entry is itself a tombstone (`tombstone`: revoking one has no
 * effect). Nothing was changed.
 */
export class OverrideNotRevocableError extends ExlabCacheError {
  /** The id asked for. */
  readonly id: string;
  /** Why it cannot be revoked. */
  readonly reason: "not_found" | "already_revoked" | "tombstone";

  constructor(id: string, reason: "not_found" | "already_revoked" | "tombstone", options: { path?: string | undefined } = {}) {
    const why = { not_found: "no override entry has this id", already_revoked: "it is already revoked", tombstone: "it is a tombstone, and revoking one has no effect" }[reason];
    super("override_not_revocable", `Cannot revoke override \`${id.slice(0, 80)}\`: ${why}`, { path: options.path, field: "id", details: { id, reason } });
    this.id = id;
    this.reason = reason;
  }
}

/** Bytes that are not a UTF-8 JSON object (empty, truncated, an array...). */
export class MalformedFileError extends ExlabCacheError {
  constructor(path: string | undefined, reason: string, options: { cause?: unknown } = {}) {
    super("malformed_file", `${path ?? "input"} is not a JSON object: ${reason}`, {
      path,
      details: { reason },
      cause: options.cause,
    });
  }
}

/** A cache file larger than any real record could be; it is not read whole. */
export class FileTooLargeError extends ExlabCacheError {
  /** Size found on disk, in bytes. */
  readonly size: number;
  /** The bound, in bytes. */
  readonly limit: number;

  constructor(path: string, size: number, limit: number) {
    super("file_too_large", `${path} is ${size} bytes; cache files are at most ${limit} bytes`, {
      path,
      details: { size, limit },
    });
    this.size = size;
    this.limit = limit;
  }
}

/** The path is not a regular file (a symlink, a directory, a FIFO...). */
export class NotRegularFileError extends ExlabCacheError {
  constructor(path: string, kind: string) {
    super("not_regular_file", `${path} is a ${kind}, not a regular file; refusing to use it`, {
      path,
      details: { kind },
    });
  }
}

/** The lock could not be had within the timeout. */
export class LockTimeoutError extends ExlabCacheError {
  /** The sidecar that stayed locked. */
  readonly lockPath: string;
  /** How long we waited, in milliseconds. */
  readonly timeoutMs: number;

  constructor(lockPath: string, timeoutMs: number) {
    super(
      "lock_timeout",
      `Timed out after ${timeoutMs} ms waiting for the lock ${lockPath}; another writer holds it`,
      { path: lockPath, details: { timeout_ms: timeoutMs } },
    );
    this.lockPath = lockPath;
    this.timeoutMs = timeoutMs;
  }
}

/** `withFileLock` was called for a path whose lock the same call chain holds. */
export class LockReentryError extends ExlabCacheError {
  /** The sidecar already held. */
  readonly lockPath: string;

  constructor(lockPath: string) {
    super(
      "lock_reentry",
      `The lock ${lockPath} is already held by this call chain; nested locking of the same file would deadlock`,
      { path: lockPath },
    );
    this.lockPath = lockPath;
  }
}

/** Taking or releasing the lock failed for a reason other than contention. */
export class LockError extends ExlabCacheError {
  /** The sidecar involved. */
  readonly lockPath: string;

  constructor(lockPath: string, reason: string, options: { cause?: unknown; osCode?: string } = {}) {
    super("lock_failed", `Cannot lock ${lockPath}: ${reason}`, {
      path: lockPath,
      details: options.osCode === undefined ? undefined : { os_code: options.osCode },
      cause: options.cause,
    });
    this.lockPath = lockPath;
  }
}

/**
 * A write that failed on the way to disk (full disk, read-only mount, I/O
 * error...). The original file is untouched and the temp file is removed.
 */
export class WriteFailedError extends ExlabCacheError {
  /** The operating-system error code, e.g. `ENOSPC`. */
  readonly osCode: string | undefined;
  /** The step that failed: `open`, `write`, `fsync`, `rename`, `mkdir`... */
  readonly syscall: string;

  constructor(path: string, syscall: string, cause: unknown) {
    const osCode = errnoCode(cause);
    const reason = cause instanceof Error ? cause.message : String(cause);
    super("write_failed", `Cannot write ${path} (${syscall}): ${reason}`, {
      path,
      details: { syscall, os_code: osCode ?? null },
      cause,
    });
    this.osCode = osCode;
    this.syscall = syscall;
  }
}

/**
 * What a permission refusal stopped: listing a folder, creating a file or
 * folder in it, opening the lock sidecar (read-write and then read-only),
 * reading the current file, or replacing it.
 */
export type RefusedOperation = "list_folder" | "create_in_folder" | "open_sidecar" | "read_file" | "replace_file";

const REFUSED_WORDS: Record<RefusedOperation, string> = {
  list_folder: "list the folder",
  create_in_folder: "create or remove files in",
  open_sidecar: "open the lock sidecar (neither read-write nor read-only)",
  read_file: "read",
  replace_file: "replace the file in",
};

/**
 * The operating system refused this account access (`EACCES`, `EPERM`). One
 * error for every entry point — {@link withFileLock}, the writer, the
 * markers, the CLI — naming the path and what was refused. Nothing on disk
 * was changed and no temp file is left.
 */
export class PermissionDeniedError extends ExlabCacheError {
  /** What was refused. */
  readonly operation: RefusedOperation;
  /** The operating-system error code: `EACCES` or `EPERM`. */
  readonly osCode: string;

  constructor(path: string, operation: RefusedOperation, cause: unknown) {
    const osCode = errnoCode(cause) ?? "EACCES";
    super("permission_denied", `Permission denied: cannot ${REFUSED_WORDS[operation]} ${path} [${osCode}]`, {
      path,
      details: { operation, os_code: osCode },
      cause,
    });
    this.operation = operation;
    this.osCode = osCode;
  }
}

/** Whether `err` is an operating-system permission refusal (`EACCES`, `EPERM`). */
export function isPermissionRefusal(err: unknown): boolean {
  const code = errnoCode(err);
  return code === "EACCES" || code === "EPERM";
}

/**
 * The writer was told to refuse filesystems where `flock` does not exclude
 * other machines or views (NFS, SMB/CIFS, FUSE), and `path` is on one.
 * Nothing was written.
 */
export class UnsafeFilesystemError extends ExlabCacheError {
  /** `nfs`, `smb` or `fuse`. */
  readonly kind: string;

  constructor(path: string, kind: string, fsType: string) {
    super("unsafe_filesystem", `Refusing to write ${path}: it is on a ${kind} filesystem (${fsType}) where file locks do not exclude every writer`, {
      path,
      details: { kind, fs_type: fsType },
    });
    this.kind = kind;
  }
}

/**
 * A create-once write found the file already there. It is left byte for
 * byte as it was: a record of provenance is written once, never replaced.
 *
 * @example
 * ```ts
 * try { await creations.create(path, input); }
 * catch (e) { if (e instanceof AlreadyExistsError) console.log(e.code); } // "already_exists"
 * ```
 */
export class AlreadyExistsError extends ExlabCacheError {
  constructor(path: string) {
    super("already_exists", `${path} already exists; it is written once and never replaced`, { path });
  }
}

/**
 * An update found no file to update. Nothing was written (an update never
 * creates: creating is a separate, create-once step).
 *
 * @example
 * ```ts
 * try { await creations.setSyncStatus(path, "synced"); }
 * catch (e) { if (e instanceof NotFoundError) console.log(e.code); } // "not_found"
 * ```
 */
export class NotFoundError extends ExlabCacheError {
  constructor(path: string) {
    super("not_found", `${path} does not exist; there is nothing to update`, { path });
  }
}

/**
 * A forward-step write refused: the record's current state does not allow
 * the step asked for. Nothing was written.
 *
 * @example
 * ```ts
 * new TransitionRefusedError(path, { field: "current_state", from: "cleared", to: "complete", allowed: [] }).code;
 * // "transition_refused"
 * ```
 */
export class TransitionRefusedError extends ExlabCacheError {
  /** The state found. */
  readonly from: string;
  /** The state asked for. */
  readonly to: string;
  /** The states the found one may step to. */
  readonly allowed: readonly string[];

  constructor(path: string, step: { field: string; from: string; to: string; allowed: readonly string[] }) {
    const allowed = step.allowed.length === 0 ? "none: it is final" : step.allowed.map((s) => `\`${s}\``).join(", ");
    super("transition_refused", `Cannot step \`${step.field}\` of ${path} from \`${step.from}\` to \`${step.to}\` (allowed: ${allowed})`, {
      path,
      field: step.field,
      details: { from: step.from, to: step.to, allowed: [...step.allowed] },
    });
    this.from = step.from;
    this.to = step.to;
    this.allowed = step.allowed;
  }
}

/**
 * A step of a state machine (`ingest.json`'s `current_state`) that is not
 * the one forward step from the state found: a skip, a repeat, a step back,
 * a step out of the final state, a step from a state this version does not
 * know (a newer minor's), or details that do not belong to the state asked
 * for. Nothing was written: the file is byte for byte as it was.
 *
 * @example
 * ```ts
 * try { await ingest.advance(path, "sync_verified"); }
 * catch (e) { if (e instanceof IllegalTransitionError) console.log(e.code, e.allowed); } // "illegal_transition" ["sync_queued"]
 * ```
 */
export class IllegalTransitionError extends ExlabCacheError {
  /** The state found (undefined when the step was refused for its details alone, before the file was read). */
  readonly from: string | undefined;
  /** The state asked for. */
  readonly to: string;
  /** The states the found one may step to (empty for a final or an unknown state). */
  readonly allowed: readonly string[];
  /** Details given that the state asked for does not take. */
  readonly extras: readonly string[];

  constructor(path: string, step: { field: string; from?: string | undefined; to: string; allowed: readonly string[]; extras?: readonly string[]; unknownFrom?: boolean }) {
    const extras = step.extras ?? [];
    const cut = (s: string): string => (s.length > 80 ? `${s.slice(0, 80)}...` : s);
    let why: string;
    if (extras.length > 0) why = `\`${cut(step.to)}\` does not take ${extras.map((e) => `\`${e}\``).join(", ")}`;
    else if (step.unknownFrom === true) why = `the current state \`${cut(step.from ?? "")}\` is not one this version knows (a newer minor's), so no step from it can be checked`;
    else if (step.allowed.length === 0) why = `\`${cut(step.from ?? "")}\` is final`;
    else why = `the only step from \`${cut(step.from ?? "")}\` is to ${step.allowed.map((s) => `\`${s}\``).join(", ")}`;
    super("illegal_transition", `Cannot step \`${step.field}\` of ${path} to \`${cut(step.to)}\`: ${why}`, {
      path,
      field: step.field,
      details: { from: step.from ?? null, to: step.to, allowed: [...step.allowed], ...(extras.length > 0 ? { extras: [...extras] } : {}) },
    });
    this.from = step.from;
    this.to = step.to;
    this.allowed = step.allowed;
    this.extras = extras;
  }
}

/** The `code` of a Node system error (`ENOENT`...), or undefined. */
export function errnoCode(err: unknown): string | undefined {
  if (typeof err === "object" && err !== null && "code" in err) {
    const code = err.code;
    if (typeof code === "string") return code;
  }
  return undefined;
}

/** A notice about something the writer repaired on its own, or a doubt about its clock. */
export interface CacheWarning {
  /**
   * `corrupt_file_preserved`, `stale_temp_removed`, `clock_behind_record`
   * (the clock reads earlier than the record's `first_seen_at`: the write went
   * ahead, with `last_modified_at` before `first_seen_at`), or
   * `unsafe_filesystem` (the file is on NFS, SMB/CIFS or FUSE, where the lock
   * does not exclude every writer; sent once per filesystem per process).
   */
  code: "corrupt_file_preserved" | "stale_temp_removed" | "clock_behind_record" | "unsafe_filesystem";
  /** The file concerned. */
  path: string;
  /** One sentence for people. */
  message: string;
  /** Where the old bytes were kept (`corrupt_file_preserved`). */
  preservedAt?: string;
  /** Why the file was judged corrupt (`corrupt_file_preserved`). */
  problem?: ExlabCacheError;
  /** The filesystem type, e.g. `fuse (0x65735546)` (`unsafe_filesystem`). */
  fsType?: string;
}
