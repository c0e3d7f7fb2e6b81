/**
 * Compact JSON in a fixed key order, the bytes the Python application writes
 * for the same record: no spaces, UTF-8, no trailing newline.
 */

/**
 * Encode `known` (in the given order) followed by `extras`, members carried
 * over from an existing file as raw JSON text.
 */
export function encodeRecord(known: readonly (readonly [string, unknown])[], extras: readonly (readonly [string, string])[] = []): string {
  const parts: string[] = [];
  for (const [k, v] of known) parts.push(`${JSON.stringify(k)}:${JSON.stringify(v)}`);
  for (const [k, raw] of extras) parts.push(`${JSON.stringify(k)}:${raw}`);
  return `{${parts.join(",")}}`;
}

/**
 * `YYYY-MM-DDTHH:MM:SSZ` for `date` (§13.4), truncated to the second.
 *
 * @throws RangeError for an invalid date, or one outside years 0001–9999:
 *   `toISOString` writes later and negative years with six-digit signed
 *   years, and year 0000 is below what Python's `datetime` holds, so no
 *   reader of the format accepts them and a writer must not put them on disk.
 * @example
 * ```ts
 * formatTimestamp(new Date("2026-04-17T14:32:05.678Z")); // "2026-04-17T14:32:05Z"
 * ```
 */
export function formatTimestamp(date: Date): string {
  const iso = date.toISOString(); // throws RangeError for an invalid date
  if (iso.length !== 24 || iso.startsWith("0000")) throw new RangeError(`Expected a date in years 0001-9999, got ${iso}`);
  return `${iso.slice(0, 19)}Z`;
}
