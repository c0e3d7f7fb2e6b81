/**
 * The application's per-name and per-text rules as pure functions: each
 * returns the hits in the order the application reports them.
 *
 * @module
 */
import type { Hit, OffendingKind } from "./finding.js";
import { pyRepr } from "./pyrepr.js";

const PLACEHOLDER = /<[A-Za-z_][A-Za-z0-9_]*>/g;
const JINJA_VARIABLE = /\{\{[^}]*\}\}/g;
const JINJA_BLOCK = /\{%[^%]*%\}/g;
const ILLEGAL = new Set(["<", ">", ":", '"', "/", "\\", "|", "?", "*"]);
const RESERVED = new Set(["CON", "PRN", "AUX", "NUL", ...[1, 2, 3, 4, 5, 6, 7, 8, 9].flatMap((n) => [`COM${n}`, `LPT${n}`])]);

/**
 * Placeholder tokens, then Jinja variable markers, then Jinja block markers
 * in `text` (a name or a file's content), left to right within each kind.
 */
export function textHits(text: string, kind: OffendingKind): Hit[] {
  const hits: Hit[] = [];
  // Most names and files hold neither bracket: skip the regular expressions.
  const angle = text.includes("<");
  const brace = text.includes("{");
  if (angle) {
    for (const m of text.matchAll(PLACEHOLDER)) {
      hits.push({ rule: "unresolved_placeholder_token", offending_kind: kind, matched_token: m[0], rule_detail: `Angle-bracket identifier token ${m[0]} was not resolved by the renderer.` });
    }
  }
  if (brace) {
    for (const [re, what] of [[JINJA_VARIABLE, "variable"], [JINJA_BLOCK, "block"]] as const) {
      for (const m of text.matchAll(re)) {
        hits.push({
          rule: "leftover_jinja_marker",
          offending_kind: kind,
          matched_token: m[0],
          rule_detail: `Leftover Jinja ${what} marker ${m[0]} -- the renderer was bypassed or the file was not processed.`,
        });
      }
    }
  }
  return hits;
}

/** Each distinct illegal character in order of first appearance, then a trailing dot, then a trailing space. */
export function illegalHits(name: string, kind: OffendingKind): Hit[] {
  const hits: Hit[] = [];
  const seen = new Set<string>();
  for (const ch of name) {
    if (seen.has(ch)) continue;
    if (ILLEGAL.has(ch) || (ch.codePointAt(0) ?? 0) < 32) {
      seen.add(ch);
      hits.push({ rule: "illegal_filesystem_character", offending_kind: kind, matched_token: ch, rule_detail: `Name ${pyRepr(name)} contains illegal filesystem character ${pyRepr(ch)}.` });
    }
  }
  if (name.endsWith(".")) {
    hits.push({ rule: "illegal_filesystem_character", offending_kind: kind, matched_token: ".", rule_detail: `Name ${pyRepr(name)} ends with a trailing dot, which is illegal on Windows targets.` });
  }
  if (name.endsWith(" ")) {
    hits.push({ rule: "illegal_filesystem_character", offending_kind: kind, matched_token: " ", rule_detail: `Name ${pyRepr(name)} ends with a trailing space, which is illegal on Windows targets.` });
  }
  return hits;
}

/** The stem of a file name before its first dot, upper-cased, when it is a Windows device name. */
export function reservedHits(name: string): Hit[] {
  const dot = name.indexOf(".");
  const stem = (dot < 0 ? name : name.slice(0, dot)).toUpperCase();
  if (!RESERVED.has(stem)) return [];
  return [{ rule: "reserved_filesystem_name", offending_kind: "file_name", matched_token: stem, rule_detail: `Name ${pyRepr(name)} matches Windows reserved name ${stem}.` }];
}

/** The rules every folder name is judged by (a folder is never a reserved name). */
export function folderNameHits(name: string): Hit[] {
  return [...textHits(name, "directory_segment"), ...illegalHits(name, "directory_segment")];
}

/** The rules every file name is judged by. */
export function fileNameHits(name: string): Hit[] {
  return [...textHits(name, "file_name"), ...illegalHits(name, "file_name"), ...reservedHits(name)];
}

// Python's str.isspace() set, which str.strip() removes: ASCII whitespace,
// the information separators U+001C–U+001F, NEL, and the Unicode spaces;
// not U+FEFF, nor U+200B.
const PY_SPACE = "\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000";

/**
 * Python's `s.strip()`.
 *
 * @example
 * ```ts
 * pyStrip("\x1c CON "); // "CON"
 * ```
 */
export function pyStrip(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && PY_SPACE.includes(s[start] as string)) start++;
  while (end > start && PY_SPACE.includes(s[end - 1] as string)) end--;
  return s.slice(start, end);
}

/**
 * The `unsafe_project_name` hits of a project folder name, in the
 * application's order. Only the reserved-name sentence is measured from the
 * application; the others follow its pattern (see docs/problems.md).
 */
export function projectNameHits(name: string): Hit[] {
  const hits: Hit[] = [];
  const n = pyRepr(name);
  const hit = (token: unknown, detail: string): void => {
    hits.push({ rule: "unsafe_project_name", offending_kind: "directory_segment", matched_token: token, rule_detail: `project name ${n} ${detail}` });
  };
  if ([...name].length > 255) hit(null, "is longer than 255 characters");
  if (pyStrip(name) !== name) hit(null, "has leading or trailing whitespace");
  const dot = name.indexOf(".");
  const stem = pyStrip(dot < 0 ? name : name.slice(0, dot)).toUpperCase();
  if (RESERVED.has(stem)) hit(stem, "is a reserved Windows device name");
  if (name.endsWith(".")) hit(".", "ends with a dot");
  const seen = new Set<string>();
  for (const ch of name) {
    if (seen.has(ch)) continue;
    const code = ch.codePointAt(0) ?? 0;
    if (code < 0x20 || code > 0x7e) {
      seen.add(ch);
      hit(ch, `contains non-ASCII or control character ${pyRepr(ch)}; project names must be printable ASCII`);
    } else if (ILLEGAL.has(ch)) {
      seen.add(ch);
      hit(ch, `contains illegal character ${pyRepr(ch)}`);
    }
  }
  return hits;
}

/**
 * Python's `PurePath(name).suffix`: from the last dot, except for a name
 * whose only dot leads it or that ends with a dot.
 *
 * @example
 * ```ts
 * pySuffix("a.tar.gz"); // ".gz"
 * pySuffix("name.");    // ""
 * ```
 */
export function pySuffix(name: string): string {
  const i = name.lastIndexOf(".");
  return i > 0 && i < name.length - 1 ? name.slice(i) : "";
}
