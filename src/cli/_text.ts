/**
 * Text for people from values the tool did not write itself (labels, ids,
 * paths, folder names from a file, a folder listing or the config): control
 * and other invisible characters are shown as escapes, so a value can
 * neither drive the terminal nor forge a line of output; and columns are
 * measured by how wide a terminal draws them, so CJK and emoji line up.
 */
import { resolve } from "node:path";
import stringWidth from "string-width";
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

/**
 * `text` cut to at most `width` terminal columns, ending in `…` when cut.
 *
 * @example
 * ```ts
 * truncateDisplay("Confocal Microscope 1", 10); // "Confocal …"
 * ```
 */
export function truncateDisplay(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  let out = "";
  let used = 0;
  for (const ch of text) {
    const w = displayWidth(ch);
    if (used + w > width - 1) break;
    out += ch;
    used += w;
  }
  return `${out}…`;
}
