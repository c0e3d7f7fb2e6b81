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

/** `YYYY-MM-DDTHH:MM:SSZ` for `date` (§13.4), truncated to the second. */
export function formatTimestamp(date: Date): string {
  const iso = date.toISOString(); // throws RangeError for an invalid date
  return `${iso.slice(0, 19)}Z`;
}
