/**
 * Text for people from values the tool did not write itself (labels, ids,
 * paths, folder names from a file, a folder listing or the config): escaped
 * (see _escape.ts) so a value can neither drive the terminal nor forge a
 * line of output, and measured by how wide a terminal draws it, so CJK and
 * emoji line up. The width tables are loaded only for text that needs them:
 * printable ASCII is one column a character.
 */
import { resolve } from "node:path";
import { escapeText } from "./_escape.js";

export { escapeText } from "./_escape.js";

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

/** Measuring, padding and cutting text by terminal columns. */
export interface Columns {
  /** How many columns `text` takes (East Asian wide characters two, combining marks none). */
  width(text: string): number;
  /** `text` padded with spaces to `width` columns. */
  pad(text: string, width: number): string;
  /** `text` cut to at most `width` columns, ending in `…` when cut. */
  cut(text: string, width: number): string;
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

function columnsOf(width: (text: string) => number): Columns {
  return {
    width,
    pad: (text, w) => text + " ".repeat(Math.max(0, w - width(text))),
    cut(text, w) {
      if (width(text) <= w) return text;
      let out = "";
      let used = 0;
      for (const ch of text) {
        const cw = width(ch);
        if (used + cw > w - 1) break;
        out += ch;
        used += cw;
      }
      return `${out}…`;
    },
  };
}

/**
 * Columns for laying out `texts`: printable ASCII is measured by its
 * length; anything else loads the Unicode width tables.
 *
 * @example
 * ```ts
 * const c = await columnsFor(["顕微鏡"]);
 * c.pad("顕微鏡", 8); // "顕微鏡  "
 * ```
 */
export async function columnsFor(texts: Iterable<string>): Promise<Columns> {
  for (const t of texts) {
    if (!PRINTABLE_ASCII.test(t)) {
      const { default: stringWidth } = await import("string-width");
      return columnsOf(stringWidth);
    }
  }
  return columnsOf((text) => text.length);
}
