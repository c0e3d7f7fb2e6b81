/**
 * The one check every public entry point makes of a path argument before it
 * touches the disk: `""` would resolve against the working folder (and
 * create `./.lock`), and a NUL byte makes Node throw a bare TypeError deep in
 * a syscall, after earlier steps may already have run.
 */
import { ValidationError } from "../errors.js";

/** A short rendering of the bad argument (fs/ does not depend on schema/, which has the general one). */
function shown(value: unknown): string {
  if (typeof value !== "string") return value === null ? "null" : value === undefined ? "missing" : `a ${typeof value}`;
  return `\`${JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value).slice(1, -1)}\``;
}

/**
 * Throw unless `path` is a non-empty string without NUL bytes.
 *
 * @throws {@link ValidationError} (`validation_failed`, field `field`).
 * @example
 * ```ts
 * requirePath(path); // before any lock, read or write
 * ```
 */
export function requirePath(path: unknown, field = "path"): asserts path is string {
  if (typeof path === "string" && path.length > 0 && !path.includes("\0")) return;
  const why = typeof path !== "string" ? "not a string" : path.length === 0 ? "empty" : "contains a NUL byte";
  throw new ValidationError(
    [{ path: field, expected: "a non-empty path without NUL bytes", received: shown(path), message: `Expected \`${field}\` to be a non-empty path without NUL bytes, got ${shown(path)} (${why})` }],
    { what: `${field} argument` },
  );
}
