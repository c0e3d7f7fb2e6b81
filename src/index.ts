/**
 * exlab-cache: crash-safe, lock-compatible reading and writing of ExLab
 * Wizard's equipment-level cache files.
 *
 * @packageDocumentation
 */
export { EquipmentCacheWriter } from "./cache/writer.js";
export type { EquipmentCacheWriterOptions, EquipmentWriteOutcome, WriteCallOptions } from "./cache/writer.js";
export {
  CACHE_DIR,
  EQUIPMENT_FILE,
  RUNS_DIR,
  RUNS_FILE,
  TEST_RUNS_DIR,
  TEST_RUNS_FILE,
  equipmentJsonPath,
  runsMarkerPath,
  testRunsMarkerPath,
} from "./cache/paths.js";
export { CREATION_FILE, projectCreationPath, runCreationPath } from "./cache/creation-paths.js";
export { CreationCacheWriter } from "./cache/creation.js";
export type { CreationCacheWriterOptions } from "./cache/creation.js";
export type { Mutator } from "./cache/policies/update.js";
export { IngestCacheWriter } from "./cache/ingest.js";
export type { IngestCacheWriterOptions } from "./cache/ingest.js";
export { TIMELINE_VERSION, runTimeline } from "./tree/timeline.js";
export type { RunTimeline, RunTimelineOptions, TimelineEvent, TimelineSource } from "./tree/timeline.js";
export { ReadmeFieldsCacheWriter } from "./cache/readme-fields.js";
export type { ReadmeFieldsCacheWriterOptions, ReadmeFieldsWriteOutcome } from "./cache/readme-fields.js";

export { atomicWriteFile } from "./fs/atomic.js";
export type { AtomicWriteOptions } from "./fs/atomic.js";
export { DEFAULT_LOCK_TIMEOUT_MS, lockPathFor, withFileLock } from "./fs/lock.js";
export type { LockOptions } from "./fs/lock.js";
export { classifyFsType, unsafeFilesystemOf } from "./fs/fstype.js";
export type { UnsafeFilesystem, UnsafeFilesystemKind } from "./fs/fstype.js";
export { MAX_CACHE_FILE_BYTES, readCacheFile } from "./fs/read.js";
export type { ReadOptions } from "./fs/read.js";
export type { FileSystem } from "./fs/filesystem.js";

export { equipmentJsonSchema, parseEquipment, validateEquipmentInput } from "./schema/equipment.js";
export type { EquipmentInput, EquipmentJson } from "./schema/equipment.js";
export { parseMarker, runsJsonSchema, testRunsJsonSchema, validateMarkerInput } from "./schema/marker.js";
export type { MarkerInput, MarkerJson, RunKind, RunsJson, TestRunsJson } from "./schema/marker.js";
export { SCHEMA_MAJOR, SCHEMA_VERSION, parseSchemaVersion, requireSchemaMajor } from "./schema/version.js";
export type { SchemaVersion } from "./schema/version.js";
export { isEquipmentId, isTimestamp, projectNameProblem } from "./schema/rules.js";
export { formatTimestamp } from "./schema/timestamp.js";
export {
  CREATION,
  CREATION_VERSION,
  DERIVED_ID_NAMESPACE,
  SYNC_STATUSES,
  creationJsonSchema,
  creationRecord,
  decodeCreation,
  derivedEntryId,
  encodeCreation,
  newCreationRecord,
  parseCreation,
} from "./schema/kinds/creation.js";
export type { CreationDocument, CreationInput, CreationJson, JsonObject, SyncStatus } from "./schema/kinds/creation.js";
export {
  INGEST,
  INGEST_NEXT,
  INGEST_STATES,
  INGEST_STEP_DETAILS,
  INGEST_TRANSPORTS,
  INGEST_VERSION,
  decodeIngest,
  encodeIngest,
  ingestHistoryEntry,
  ingestJsonSchema,
  ingestStepRefusal,
  newIngestRecord,
  parseIngest,
} from "./schema/kinds/ingest.js";
export type { IngestDocument, IngestInput, IngestJson, IngestState, IngestStepDetails } from "./schema/kinds/ingest.js";
export {
  README_FIELDS,
  README_FIELDS_VERSION,
  decodeReadmeFields,
  encodeReadmeFields,
  parseReadmeFields,
  readmeFieldsJsonSchema,
} from "./schema/kinds/readme-fields.js";
export type { ReadmeFieldsDocument, ReadmeFieldsInput, ReadmeFieldsJson } from "./schema/kinds/readme-fields.js";
export { decodeDocument, documentRecord, encodeDocument, writtenVersion } from "./schema/document.js";
export type { RecordDocument } from "./schema/document.js";
export { arrayOf, enumOf, json, nullable, object } from "./schema/combinators.js";
export type { JsonValue, OpenEnum } from "./schema/combinators.js";
export {
  PROBLEM_CLASSES,
  addOverride,
  buildOverrideEntry,
  buildTombstoneEntry,
  revokeOverride,
  withSyncStatus,
} from "./schema/override-entries.js";
export type { EntryStamps, OverrideEntry, OverrideRequest, ProblemClass, RevokeRequest, TombstoneEntry } from "./schema/override-entries.js";
export { pythonTruthy, selectActiveOverrides } from "./schema/overrides.js";
export type { OverrideWarning, SelectOverridesOptions } from "./schema/overrides.js";
export { LOG_LINE_MAX_BYTES, LOG_TAG_NAMES, LOG_TRUNCATION_MARKER, escapeLogText, formatLogLine } from "./schema/log-line.js";
export type { LogEntryInput, LogTagName, LogTags } from "./schema/log-line.js";
export { parseLogLine } from "./schema/log-line-parse.js";
export { appendRecord } from "./fs/append.js";
export type { AppendOptions } from "./fs/append.js";
export { APP_LOG_HOST, appendLogLine, defaultLogHost, logFilePath, sanitizeLogHost } from "./log/write.js";
export type { LogFileOptions } from "./log/write.js";
export { DEFAULT_MAX_LINE_BYTES, LOG_FILE_PATTERN, logFiles, readLog } from "./log/read.js";
export type { LogFile, ReadLogOptions } from "./log/read.js";
export type { LogRecord, RawReason } from "./log/entry.js";
export { followLog } from "./log/follow.js";
export type { FollowEvent, FollowLogOptions, LogFileEvent } from "./log/follow.js";
export type { ParsedLogLine, UnparsedLine } from "./schema/log-line-parse.js";

export { checkTree } from "./tree/check.js";
export type { CheckReport } from "./tree/check.js";
export { listTree } from "./tree/list.js";
export type { ListReport, ListRow } from "./tree/list.js";
export { CHECK_RULES } from "./tree/rules.js";
export type { CheckRule, Finding as CheckFinding } from "./tree/rules.js";
export type { ScanProgress } from "./tree/scan.js";
export type { TreeOptions } from "./tree/walk.js";
export { syncFromConfig, syncHasProblems } from "./sync/sync.js";
export type { SyncOptions, SyncReport, SyncResult, SyncStatus as SyncEntryStatus, SyncWarning } from "./sync/sync.js";
export { REPORT_VERSION } from "./report.js";

export { AuditScopeError, auditTree } from "./tree/audit.js";
export type { AuditOptions, AuditProgress, AuditResult, AuditScope } from "./tree/audit.js";
export { gateRun } from "./tree/gate.js";
export type { GateOptions, GateProgress, GateVerdict } from "./tree/gate.js";
export { DEFAULT_SCAN_EXTENSIONS, readAuditConfig } from "./tree/config.js";
export type { AuditConfig } from "./tree/config.js";
export { APP_RULES, OWN_RULES, RULE_TIERS, compareCodePoints, compareFindings } from "./tree/finding.js";
export type { Finding, OffendingKind, Rule, SourcedFinding, Tier } from "./tree/finding.js";
export { pyRepr } from "./tree/pyrepr.js";

export {
  AlreadyExistsError,
  ConfigError,
  ERROR_CODES,
  ExlabCacheError,
  InputError,
  StoppedError,
  UsageError,
  FileTooLargeError,
  IllegalTransitionError,
  LockError,
  LockReentryError,
  LockTimeoutError,
  MalformedFileError,
  NotFoundError,
  NotRegularFileError,
  OverrideNotRevocableError,
  PermissionDeniedError,
  SchemaMajorMismatchError,
  TransitionRefusedError,
  UnsafeFilesystemError,
  ValidationError,
  WriteFailedError,
} from "./errors.js";
export type {
  CacheWarning,
  ConfigErrorCode,
  ConfigPosition,
  ErrorCode,
  ErrorEnvelope,
  ExlabCacheErrorOptions,
  InputErrorCode,
  RefusedOperation,
  ValidationIssue,
} from "./errors.js";
