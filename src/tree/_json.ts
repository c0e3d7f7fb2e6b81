/**
 * Decoding a record's bytes as the application's JSON decoder does, and
 * telling apart the one failure its audit does not survive: bytes that are
 * not UTF-8 inside a JSON string raise an exception the audit never
 * catches, while the same bytes elsewhere are an ordinary decode error.
 *
 * @module
 */
import { isUtf8 } from "node:buffer";

const lenientUtf8 = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

/** A record's bytes, decoded or not. */
export type JsonOutcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly reason: string; /** The application's audit would stop on it. */ readonly fatal: boolean };

/**
 * Decode `bytes` as one JSON value. A BOM, an empty file or bad syntax is
 * an ordinary failure; invalid UTF-8 inside strings of an otherwise valid
 * document is `fatal` (the application's `UnicodeDecodeError`).
 */
export function decodeJson(bytes: Uint8Array): JsonOutcome {
  if (bytes.length === 0) return { ok: false, reason: "the file is empty", fatal: false };
  // Validating first, then decoding, is several times faster than a fatal
  // TextDecoder; both see exactly the same bytes as valid.
  if (!isUtf8(bytes)) {
    // With every bad sequence replaced, the document still parses only if
    // all of them sat inside strings (a U+FFFD outside one is a syntax error).
    const replaced = lenientUtf8.decode(bytes);
    try {
      JSON.parse(replaced);
    } catch {
      return { ok: false, reason: "it is not valid UTF-8 JSON", fatal: false };
    }
    const at = firstInvalidByte(bytes);
    return { ok: false, reason: `invalid UTF-8 inside a JSON string (byte 0x${(bytes[at] ?? 0).toString(16)} at offset ${at})`, fatal: true };
  }
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
  if (text.charCodeAt(0) === 0xfeff) return { ok: false, reason: "it starts with a UTF-8 byte-order mark", fatal: false };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, reason: `invalid JSON (${err instanceof Error ? err.message : String(err)})`, fatal: false };
  }
}

function firstInvalidByte(bytes: Uint8Array): number {
  // Grow a strictly decodable prefix; the byte after the longest one is the culprit.
  let lo = 0;
  let hi = bytes.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    try {
      new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
      lo = mid;
    } catch {
      hi = mid - 1;
    }
  }
  return lo;
}

/** A plain JSON object (not an array, not null). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
