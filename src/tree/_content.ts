/**
 * Content scanning of one file, as the application's audit does it: by
 * suffix, under a size cap, skipping binary files, over the whole text.
 * Each file is read at most once.
 *
 * @module
 */
import { readBounded } from "./_read.js";
import { textHits } from "./_rules.js";
import type { Hit } from "./finding.js";

/** The rule's own ceiling on the text, whatever the configured cap: 5 MiB. */
export const TEXT_CEILING = 5 * 1024 * 1024;
const SNIFF = 8192;
const utf8 = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

/** What scanning one file gave. */
export interface ContentScan {
  readonly hits: Hit[];
  /** Bytes read (0 when the file was not read). */
  readonly bytes: number;
  /** Why the file could not be read, when it could not. */
  readonly error?: string;
}

/**
 * Scan the regular file at `path` of at most `capBytes`: nothing when it
 * is larger, holds a NUL in its first 8 KiB, or decodes to over 5 MiB.
 */
export function scanContent(path: string, capBytes: number): ContentScan {
  // A file over the ceiling decodes to more than the ceiling (a replacement
  // only ever grows the text), so it is skipped unread.
  // Only files the listing called regular are scanned.
  const r = readBounded(path, Math.min(capBytes, TEXT_CEILING), false, true);
  if (r.kind === "error") return { hits: [], bytes: 0, error: `${r.code}: ${r.message}` };
  if (r.kind !== "bytes") return { hits: [], bytes: 0 };
  const b = r.bytes;
  if (b.subarray(0, SNIFF).includes(0)) return { hits: [], bytes: b.length };
  // Every pattern starts with `<` or `{`: without either there is nothing to find.
  if (!b.includes(0x3c) && !b.includes(0x7b)) return { hits: [], bytes: b.length };
  const text = utf8.decode(b);
  if (Buffer.byteLength(text, "utf8") > TEXT_CEILING) return { hits: [], bytes: b.length };
  return { hits: textHits(text, "file_content"), bytes: b.length };
}
