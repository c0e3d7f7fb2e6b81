/**
 * Printing one cache record for people: one `key  value` line per field, in
 * on-disk order, keys aligned.
 *
 * @module
 */
import { styleFor, type CliIo } from "./io.js";

/**
 * Print `record` as aligned `key  value` lines, indented by two spaces.
 *
 * @example
 * ```ts
 * printRecord(io, { schema_version: "1.0", run_kind: "test" });
 * // "  schema_version  1.0\n  run_kind        test\n"
 * ```
 */
export function printRecord(io: CliIo, record: object): void {
  const s = styleFor(io, "stdout");
  const entries = Object.entries(record);
  const width = Math.max(0, ...entries.map(([k]) => k.length));
  for (const [k, v] of entries) {
    const text = typeof v === "string" ? v : JSON.stringify(v);
    io.stdout.write(`  ${s.dim(k.padEnd(width))}  ${text}\n`);
  }
}
