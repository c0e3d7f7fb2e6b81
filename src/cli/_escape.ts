/**
 * Escaping text for people from values the tool did not write itself
 * (labels, ids, paths, folder names, the config): control and other
 * invisible characters are shown as escapes, so a value can neither drive
 * the terminal nor forge a line of output. Apart from the width functions
 * of _text.ts, so that printing an error loads no width tables.
 */
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

