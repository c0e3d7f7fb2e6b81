/**
 * Text for people from values the tool did not write itself (labels, ids,
 * paths, folder names from a file, a folder listing or the config): control
 * and other invisible characters are shown as escapes, so a value can
 * neither drive the terminal nor forge a line of output; and columns are
 * measured by how wide a terminal draws them, so CJK and emoji line up.
 */
import { resolve } from "node:path";
import stringWidth from "string-width";

// C0/C1 controls (ESC, CR, LF, DEL...), format characters (bidi overrides,
// zero-width spaces...), line/paragraph separators and lone surrogates. The
// zero-width joiner is kept: emoji sequences need it and it moves nothing.
const UNSAFE = /(?!\u200d)[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;
const NAMED: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * `text` with every control or invisible character written as an escape:
 * `\n`, `\r`, `\t`, `\xNN` below U+0100, `\uNNNN` above.
 *
 * @example
 * ```ts
 * escapeText("red\x1b[31m\nFAKE"); // "red\\x1b[31m\\nFAKE"
 * ```
 */
export function escapeText(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const named = NAMED[c];
    if (named !== undefined) return named;
    const code = c.codePointAt(0) ?? 0;
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/**
 * A path as every command prints it: absolute, then escaped.
 *
 * @example
 * ```ts
 * shownPath("lab/CONFOCAL_01"); // "/home/me/lab/CONFOCAL_01"
 * ```
 */
export function shownPath(path: string): string {
  return escapeText(resolve(path));
}

/**
 * How many terminal columns `text` takes (East Asian wide characters count
 * two, combining marks none).
 *
 * @example
 * ```ts
 * displayWidth("顕微鏡"); // 6
 * ```
 */
export function displayWidth(text: string): number {
  return stringWidth(text);
}

/**
 * `text` padded with spaces to `width` terminal columns.
 *
 * @example
 * ```ts
 * padDisplay("顕微鏡", 8); // "顕微鏡  "
 * ```
 */
export function padDisplay(text: string, width: number): string {
  return text + " ".repeat(Math.max(0, width - displayWidth(text)));
}
