/**
 * The schema-version policy (§11.9): a reader at major R reads any `R.x` and
 * refuses every other major, and a version it cannot parse.
 *
 * @module
 */
import { SchemaMajorMismatchError } from "../errors.js";
import { VERSION_RE, describe } from "./rules.js";

/** The major version this package reads and writes. */
export const SCHEMA_MAJOR = 1;

/** The version this package writes into a new file. */
export const SCHEMA_VERSION = "1.0";

/** A parsed `MAJOR.MINOR` version. */
export interface SchemaVersion {
  major: number;
  minor: number;
}

/**
 * Parse a `MAJOR.MINOR` string (no sign, no leading zeros, no extra parts).
 *
 * @returns the parts, or undefined when `version` is not such a string.
 * @example
 * ```ts
 * parseSchemaVersion("1.3"); // { major: 1, minor: 3 }
 * parseSchemaVersion("01.0"); // undefined
 * ```
 */
export function parseSchemaVersion(version: unknown): SchemaVersion | undefined {
  if (typeof version !== "string" || version.length > 32) return undefined;
  const m = VERSION_RE.exec(version);
  if (m === null) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]) };
}

/**
 * Refuse any version that is not of `expectedMajor` (§11.9.2 rule 3).
 *
 * @param version - the `schema_version` as found; `null`, `undefined`, `""`
 *   and anything not `MAJOR.MINOR` count as a mismatch.
 * @param options.expectedMajor - the major the caller reads.
 * @param options.path - the file the version came from, for the message.
 * @throws {@link SchemaMajorMismatchError} with `expectedMajor` and `found`.
 * @example
 * ```ts
 * requireSchemaMajor("1.4", { expectedMajor: 1 }); // fine
 * requireSchemaMajor("2.0", { expectedMajor: 1 }); // throws schema_major_mismatch
 * ```
 */
export function requireSchemaMajor(
  version: string | null | undefined,
  options: { expectedMajor: number; path?: string | undefined },
): void {
  const parsed = parseSchemaVersion(version);
  if (parsed === undefined || parsed.major !== options.expectedMajor) {
    throw new SchemaMajorMismatchError(options.expectedMajor, describe(version, "plain"), { path: options.path });
  }
}
