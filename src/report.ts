/**
 * The version every JSON report carries (`checkTree`, `listTree`,
 * `syncFromConfig`, and each `--json` document of the command line).
 *
 * @module
 */

/**
 * The shape version of every report and `--json` document. It changes only
 * when a member is removed, renamed or changes meaning; added members keep
 * it (see docs/stability.md).
 *
 * @example
 * ```ts
 * if (report.version !== REPORT_VERSION) throw new Error("report from another major");
 * ```
 */
export const REPORT_VERSION = 1;
