import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import * as pkg from "exlab-cache";
import { ERROR_CODES, ExlabCacheError, type ErrorCode } from "exlab-cache";
import { PACKAGE_ROOT } from "./helpers/cli.js";

/** One instance of every exported error class, built as the package builds them. */
const SAMPLES: Record<string, () => ExlabCacheError[]> = {
  SchemaMajorMismatchError: () => [new pkg.SchemaMajorMismatchError(1, "2.0")],
  ValidationError: () => [new pkg.ValidationError([{ path: "id", expected: "id", received: "x", message: "bad" }])],
  MalformedFileError: () => [new pkg.MalformedFileError("f", "empty")],
  FileTooLargeError: () => [new pkg.FileTooLargeError("f", 2, 1)],
  NotRegularFileError: () => [new pkg.NotRegularFileError("f", "FIFO")],
  LockTimeoutError: () => [new pkg.LockTimeoutError("f.lock", 1)],
  LockReentryError: () => [new pkg.LockReentryError("f.lock")],
  LockError: () => [new pkg.LockError("f.lock", "why")],
  WriteFailedError: () => [new pkg.WriteFailedError("f", "rename", new Error("x"))],
  PermissionDeniedError: () => [new pkg.PermissionDeniedError("f", "read_file", new Error("x"))],
  UnsafeFilesystemError: () => [new pkg.UnsafeFilesystemError("f", "nfs", "nfs (0x6969)")],
  UsageError: () => [new pkg.UsageError("bad")],
  StoppedError: () => [new pkg.StoppedError("SIGINT")],
  AlreadyExistsError: () => [new pkg.AlreadyExistsError("f")],
  NotFoundError: () => [new pkg.NotFoundError("f")],
  IllegalTransitionError: () => [new pkg.IllegalTransitionError("f", { field: "current_state", from: "staging", to: "sync_queued", allowed: ["complete"] })],
  TransitionRefusedError: () => [new pkg.TransitionRefusedError("f", { field: "state", from: "a", to: "c", allowed: ["b"] })],
  OverrideNotRevocableError: () => [new pkg.OverrideNotRevocableError("id", "not_found")],
  AuditScopeError: () => [new pkg.AuditScopeError("no such equipment", { equipment: "X" })],
  InputError: () => (["not_found", "not_a_directory", "not_regular_file", "file_too_large", "io_error", "watch_failed"] as const).map((c) => new pkg.InputError(c, "p", "why")),
  ConfigError: () =>
    (["config_invalid", "duplicate_id", "validation_failed", "yaml_syntax_error", "yaml_encoding_error", "yaml_unsupported_tag", "yaml_alias_limit", "yaml_too_deep", "yaml_too_large", "yaml_too_complex", "yaml_parse_timeout"] as const).map(
      (c) => new pkg.ConfigError(c, "config.yaml", "why"),
    ),
};

test("every exported error class is sampled here, and every code it carries is in ErrorCode", () => {
  const classes = Object.entries(pkg).filter(([, v]) => typeof v === "function" && v.prototype instanceof ExlabCacheError).map(([k]) => k);
  assert.deepEqual(classes.sort(), Object.keys(SAMPLES).sort(), "an exported error class without a sample below, or a sample of a class no longer exported");
  const seen = new Set<string>();
  for (const [name, make] of Object.entries(SAMPLES)) {
    for (const err of make()) {
      assert.equal(err.name, name);
      assert.ok((ERROR_CODES as readonly string[]).includes(err.code), `${name} has code ${err.code}, not in ERROR_CODES`);
      assert.equal(err.toEnvelope().error.code, err.code);
      seen.add(err.code);
    }
  }
  // No code is listed that no class carries.
  assert.deepEqual([...ERROR_CODES].filter((c) => !seen.has(c)), []);
});

test("the codes are unique snake_case, and docs/stability.md lists every one", async () => {
  assert.equal(new Set(ERROR_CODES).size, ERROR_CODES.length);
  for (const c of ERROR_CODES) assert.match(c, /^[a-z]+(_[a-z]+)*$/);
  const doc = await readFile(join(PACKAGE_ROOT, "docs", "stability.md"), "utf8");
  for (const c of ERROR_CODES) assert.ok(doc.includes(`\`${c}\``), `docs/stability.md does not list \`${c}\``);
  // The union accepts exactly these: a switch over it needs no default.
  const label = (c: ErrorCode): string => c;
  assert.equal(label("lock_timeout"), "lock_timeout");
});
