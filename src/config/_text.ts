/**
 * Turning the bytes of a `config.yaml` into the text the YAML parser reads,
 * the way PyYAML's reader does for a binary stream: UTF-16 only with its BOM
 * (little or big endian), UTF-8 otherwise, strictly; then every character
 * must be one YAML allows in a stream.
 *
 * @module
 */
import { ConfigError, type ConfigPosition } from "../errors.js";

// The characters PyYAML's reader lets through; anything else (NUL, other C0
// and C1 controls, DEL, U+FFFE, U+FFFF, lone surrogates) stops the load.
const NON_PRINTABLE = /[^\t\n\r\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/**
 * The text of a config file's bytes, its line breaks as the parser reads them.
 *
 * PyYAML breaks lines on CR, LF, CRLF, NEL (U+0085), U+2028 and U+2029; the
 * parser behind this module knows only LF and CRLF, so the others are turned
 * into LF one character for one, which keeps every offset.
 *
 * @throws {@link ConfigError} `yaml_encoding_error` when the bytes are not
 *   UTF-8 (or UTF-16 after its BOM), or hold a character YAML refuses.
 * @example
 * ```ts
 * decodeConfigText(Buffer.from("equipment: []\n"), "config.yaml"); // "equipment: []\n"
 * ```
 */
export function decodeConfigText(bytes: Buffer, file: string): string {
  const encoding = bytes[0] === 0xff && bytes[1] === 0xfe ? "utf-16le" : bytes[0] === 0xfe && bytes[1] === 0xff ? "utf-16be" : "utf-8";
  let text: string;
  try {
    text = new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const at = encoding === "utf-8" ? firstBadUtf8(bytes) : undefined;
    const before = at === undefined ? undefined : bytes.subarray(0, at).toString("utf8");
    const position = before === undefined ? undefined : positionOf(before, before.length);
    throw new ConfigError("yaml_encoding_error", file, `Expected the file to be ${encoding === "utf-8" ? "UTF-8" : `${encoding.toUpperCase()} (it starts with its byte order mark)`}, but it holds bytes that are not`, {
      position,
      details: { encoding, ...(at === undefined ? {} : { byte_offset: at }) },
    });
  }
  const bad = NON_PRINTABLE.exec(text);
  if (bad !== null) {
    const code = bad[0].codePointAt(0) ?? 0;
    throw new ConfigError("yaml_encoding_error", file, `YAML does not allow the character U+${code.toString(16).toUpperCase().padStart(4, "0")} in a file`, {
      position: positionOf(text, bad.index),
      details: { encoding, character: code },
    });
  }
  // PyYAML skips a byte order mark only as the stream's first character.
  if (text.startsWith("\uFEFF")) text = text.slice(1);
  return text.replace(/\r(?!\n)|[\x85\u2028\u2029]/g, "\n");
}

/** Line and column (1-based) of `offset`, counting line breaks as PyYAML does. */
export function positionOf(text: string, offset: number): ConfigPosition {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset; i++) {
    const c = text[i];
    if (c === "\r" && text[i + 1] === "\n") continue;
    if (c === "\n" || c === "\r" || c === "\x85" || c === "\u2028" || c === "\u2029") {
      line++;
      start = i + 1;
    }
  }
  return { line, column: offset - start + 1 };
}

/** Offset of the first byte that does not start or continue a well-formed UTF-8 sequence. */
function firstBadUtf8(bytes: Buffer): number | undefined {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    // Sequence length and the range its second byte must fall in (no
    // overlong forms, no surrogates, nothing past U+10FFFF).
    const [n, lo, hi] = b < 0x80 ? [1, 0, 0] : b >= 0xc2 && b <= 0xdf ? [2, 0x80, 0xbf] : b === 0xe0 ? [3, 0xa0, 0xbf] : b === 0xed ? [3, 0x80, 0x9f] : b >= 0xe1 && b <= 0xef ? [3, 0x80, 0xbf] : b === 0xf0 ? [4, 0x90, 0xbf] : b >= 0xf1 && b <= 0xf3 ? [4, 0x80, 0xbf] : b === 0xf4 ? [4, 0x80, 0x8f] : [0, 0, 0];
    if (n === 0) return i;
    for (let k = 1; k < n; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
    }
    i += n;
  }
  return undefined;
}
