/**
 * Every error this package throws on purpose. Each has a stable snake_case
 * `code` that callers branch on, a human `message`, the `path` involved where
 * there is one, and `toEnvelope()` for the §4.6.3 error envelope.
 *
 * @module
 */

/**
 * Every `code` an error of this package can carry, in one list: the type
 * {@link ErrorCode} is derived from it and {@link ExlabCacheError} accepts
 * nothing else, so a class with a new code does not compile until the code
 * is listed here. Codes are stable: see docs/stability.md.
 */
export const ERROR_CODES = [
  // records and files
  "schema_major_mismatch",
  "validation_failed",
  "malformed_file",
  "file_too_large",
  "not_regular_file",
  // locks and writes
  "lock_timeout",
  "lock_reentry",
  "lock_failed",
  "write_failed",
  "permission_denied",
  "unsafe_filesystem",
  // record operations
  "already_exists",
  "transition_refused",
  "illegal_transition",
  "override_not_revocable",
  // the Problems audit
  "scope_not_found",
  // paths given by a caller
  "not_found",
  "not_a_directory",
  "io_error",
  "watch_failed",
  // config.yaml
  "config_invalid",
  "duplicate_id",
  "yaml_syntax_error",
  "yaml_encoding_error",
  "yaml_unsupported_tag",
  "yaml_alias_limit",
  "yaml_too_deep",
  "yaml_too_large",
  "yaml_too_complex",
  "yaml_parse_timeout",
  // the command line and stopping
  "usage_error",
  "cancelled",
] as const;

/**
 * One of {@link ERROR_CODES}: the union of every structured error's `code`.
 *
 * @example
 * ```ts
 * function retryable(code: ErrorCode): boolean { return code === "lock_timeout"; }
 * ```
 */
export type ErrorCode = (typeof ERROR_CODES)[number];

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
  readonly code: ErrorCode;
  /** The file involved, when there is one. */
  readonly path: string | undefined;
  /** The field involved, when there is one. */
  readonly field: string | undefined;
  /** Extra machine-readable facts. */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: ExlabCacheErrorOptions = {}) {
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

/**
 * A command line that does not make sense: unknown command or option,
 * missing argument, bad value. Always exit code 2.
 *
 * @example
 * ```ts
 * throw new UsageError("Missing --config <file>", "sync");
 * ```
 */
export class UsageError extends ExlabCacheError {
  /** The command whose help to point at, when known. */
  readonly command: string | undefined;

  constructor(message: string, command?: string) {
    super("usage_error", message, { details: command === undefined ? undefined : { command } });
    this.command = command;
  }
}

/** The codes a {@link ConfigError} carries. */
export type ConfigErrorCode = Extract<ErrorCode, "config_invalid" | "duplicate_id" | "validation_failed" | `yaml_${string}`>;

/** Where in the config file a problem is, as the YAML parser reports it. */
export interface ConfigPosition {
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
}

/**
 * A problem with `config.yaml`: the file as a whole (`config_unreadable`,
 * `yaml_syntax_error`, `yaml_encoding_error`, `yaml_unsupported_tag`,
 * `yaml_alias_limit`, `config_invalid`) or one equipment entry
 * (`validation_failed`, `duplicate_id`). The message starts with
 * `file:line:column:` when the position is known.
 *
 * @example
 * ```ts
 * new ConfigError("config_invalid", "config.yaml", "`equipment` is missing", { field: "equipment" });
 * ```
 */
export class ConfigError extends ExlabCacheError {
  /** Where the problem is, when the parser knows. */
  readonly position: ConfigPosition | undefined;

  constructor(
    code: ConfigErrorCode,
    file: string,
    message: string,
    options: { field?: string | undefined; position?: ConfigPosition | undefined; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    const at = options.position === undefined ? file : `${file}:${options.position.line}:${options.position.column}`;
    const field = options.field === undefined ? "" : ` ${options.field}:`;
    super(code, `${at}:${field} ${message}`, {
      path: file,
      field: options.field,
      details: { ...options.details, ...(options.position === undefined ? {} : { line: options.position.line, column: options.position.column }) },
      cause: options.cause,
    });
    this.position = options.position;
  }
}

/** Why a path given on the command line cannot be used. */
export type InputErrorCode = "not_found" | "not_a_directory" | "not_regular_file" | "file_too_large" | "io_error" | "watch_failed";

/**
 * A path given on the command line that cannot be used: `not_found`,
 * `not_a_directory`, `not_regular_file` (a config that is a FIFO, a
 * device...), `file_too_large`, `watch_failed` (`sync --watch` cannot watch
 * a folder), or `io_error` for other operating-system errors.
 *
 * @example
 * ```ts
 * throw new InputError("not_found", "./lab", "does not exist");
 * ```
 */
export class InputError extends ExlabCacheError {
  constructor(
    code: InputErrorCode,
    path: string,
    reason: string,
    options: { cause?: unknown; osCode?: string | undefined; details?: Record<string, unknown> | undefined } = {},
  ) {
    const details = { ...options.details, ...(options.osCode === undefined ? {} : { os_code: options.osCode }) };
    super(code, `${path}: ${reason}`, {
      path,
      details: Object.keys(details).length === 0 ? undefined : details,
      cause: options.cause,
    });
  }
}

/**
 * An operating-system error on `path` as an {@link InputError}, or a
 * {@link PermissionDeniedError} for `EACCES`/`EPERM`; anything else is
 * returned as it is.
 *
 * @example
 * ```ts
 * try { await readFile(file); } catch (err) { throw fromOsError(err, file); }
 * ```
 */
export function fromOsError(err: unknown, path: string): unknown {
  const code = errnoCode(err);
  if (code === undefined || err instanceof ExlabCacheError) return err;
  if (code === "ENOENT") return new InputError("not_found", path, "no such file or directory", { cause: err, osCode: code });
  if (code === "ENOTDIR") return new InputError("not_a_directory", path, "a path component is not a directory", { cause: err, osCode: code });
  // The same error the library gives for a refusal, whichever command met it.
  if (isPermissionRefusal(err)) {
    const syscall = (err as NodeJS.ErrnoException).syscall;
    return new PermissionDeniedError(path, syscall === "scandir" || syscall === "opendir" ? "list_folder" : "read_file", err);
  }
  const reason = err instanceof Error ? err.message : String(err);
  return new InputError("io_error", path, reason, { cause: err, osCode: code });
}

/**
 * A command stopped by a signal (SIGINT, SIGTERM, SIGHUP, SIGBREAK): the reason its lock waits are
 * abandoned with (no `path`), and the error of each file it then did not
 * write (`path` set). Code `cancelled`.
 *
 * @example
 * ```ts
 * controller.abort(new StoppedError("SIGTERM"));
 * new StoppedError("SIGTERM", "/data/lab/CONFOCAL_01/.exlab-wizard/equipment.json").message;
 * // "/data/lab/.../equipment.json: not written: stopped by SIGTERM"
 * ```
 */
export class StoppedError extends ExlabCacheError {
  /** The signal that asked the command to stop, when known. */
  readonly signal: string | undefined;

  constructor(signal: string | undefined, path?: string) {
    const by = `stopped by ${signal ?? "a signal"}`;
    super("cancelled", path === undefined ? by : `${path}: not written: ${by}`, { path, details: signal === undefined ? undefined : { signal } });
    this.signal = signal;
  }
}
