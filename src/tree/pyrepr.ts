/**
 * Python's `repr()` of a `str`, character for character as CPython writes
 * it, so that a sentence embedding a name (`Name 'a:b.txt' contains ...`)
 * has the same bytes as the application's.
 *
 * @module
 */

// What CPython's `str.isprintable()` calls non-printable: the "Other"
// categories (Cc, Cf, Cs, Co, Cn) and the separators (Zl, Zp, Zs) except the
// ASCII space. Unassigned (Cn) follows this runtime's Unicode tables, which
// may be newer than the Python that wrote the other side (see docs/problems.md).
const NOT_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, "0");
}

/**
 * The text CPython's `repr(s)` gives for the string `s`: single quotes
 * unless `s` holds a `'` and no `"`; `\\`, the chosen quote, `\t`, `\n`, `\r`
 * escaped; other non-printable characters as `\xhh`, `\uhhhh` or
 * `\Uhhhhhhhh`; everything printable (non-ASCII included) as it is. A lone
 * surrogate is written `\udXXX`, as Python writes one it got from an
 * undecodable file name.
 *
 * @example
 * ```ts
 * pyRepr("a:b.txt");   // "'a:b.txt'"
 * pyRepr("it's");      // "\"it's\""
 * pyRepr("tab\tname"); // "'tab\\tname'"
 * ```
 */
export function pyRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === quote || ch === "\\") out += `\\${ch}`;
    else if (ch === "\t") out += "\\t";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (code < 0x20 || code === 0x7f) out += `\\x${hex(code, 2)}`;
    else if (code < 0x7f) out += ch;
    else if (!NOT_PRINTABLE.test(ch)) out += ch;
    else if (code <= 0xff) out += `\\x${hex(code, 2)}`;
    else if (code <= 0xffff) out += `\\u${hex(code, 4)}`;
    else out += `\\U${hex(code, 8)}`;
  }
  return out + quote;
}

/**
 * Python's `repr()` of a JSON value as the application would hold it after
 * decoding: `None`, `True`/`False`, an int, a str via {@link pyRepr}; lists and
 * dicts with Python's separators. Floats use JavaScript's shortest form, which
 * matches Python's except for exponents and whole floats (`1.0`).
 *
 * @example
 * ```ts
 * pyReprValue(null);        // "None"
 * pyReprValue(["a", 1]);    // "['a', 1]"
 * ```
 */
export function pyReprValue(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (typeof v === "string") return pyRepr(v);
  if (typeof v === "number") return String(v);
  if (Array.isArray(v)) return `[${v.map(pyReprValue).join(", ")}]`;
  if (typeof v === "object") {
    return `{${Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${pyRepr(k)}: ${pyReprValue(x)}`)
      .join(", ")}}`;
  }
  // bigint, function, symbol: not produced by JSON decoding.
  return typeof v === "bigint" ? v.toString() : "None";
}
