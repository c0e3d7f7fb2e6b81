/**
 * Printing one cache record for people: one `key  value` line per field, in
 * on-disk order, keys aligned, keys and values escaped.
 *
 * @module
 */
import { styleFor, type CliIo } from "./io.js";
import { columnsFor, escapeText } from "./_text.js";

/**
 * Print `record` as aligned `key  value` lines, indented by two spaces.
 *
 * @example
 * ```ts
 * await printRecord(io, { schema_version: "1.0", run_kind: "test" });
 * // "  schema_version  1.0\n  run_kind        test\n"
 * ```
 */
export async function printRecord(io: CliIo, record: object): Promise<void> {
  const s = styleFor(io, "stdout");
  const entries = Object.entries(record).map(([k, v]) => [escapeText(k), escapeText(typeof v === "string" ? v : JSON.stringify(v))] as const);
  const c = await columnsFor(entries.map(([k]) => k));
  const width = Math.max(0, ...entries.map(([k]) => c.width(k)));
  for (const [k, text] of entries) {
    io.stdout.write(`  ${s.dim(c.pad(k, width))}  ${text}\n`);
  }
}
