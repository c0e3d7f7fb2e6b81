/**
 * Bytes to a plain JSON object, or a MalformedFileError saying why not.
 */
import { MalformedFileError } from "../errors.js";

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Decode strict UTF-8 JSON whose top level is an object.
 *
 * A byte-order mark is refused (the writers of these files never emit one,
 * and the Python reader rejects it too). Duplicate keys are accepted with the
 * last one winning, as every mainstream JSON parser does. A `__proto__` key
 * is kept as ordinary data: `JSON.parse` makes it an own property, and
 * nothing here copies it by assignment.
 */
export function decodeJsonObject(bytes: Uint8Array, path?: string): Record<string, unknown> {
  if (bytes.length === 0) throw new MalformedFileError(path, "the file is empty");
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    throw new MalformedFileError(path, "it starts with a UTF-8 byte-order mark");
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch (cause) {
    throw new MalformedFileError(path, "it is not valid UTF-8", { cause });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    const detail = cause instanceof RangeError ? "it is nested too deeply" : `invalid JSON (${(cause as Error).message})`;
    throw new MalformedFileError(path, detail, { cause });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    const kind = value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`;
    throw new MalformedFileError(path, `the top level is ${kind}`);
  }
  return value as Record<string, unknown>;
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

/**
 * The top-level members of a JSON object text as `[key, raw value]` pairs,
 * in file order, each raw value with the whitespace outside strings removed.
 * Used to carry fields this version does not know through a rewrite without
 * re-encoding them: a number keeps its exact digits, a nested value its exact
 * text. `text` must already have parsed as a JSON object; the last of
 * duplicate keys wins, as in `JSON.parse`.
 */
export function rawTopLevelMembers(text: string): [string, string][] {
  const out = new Map<string, string>();
  let i = text.indexOf("{") + 1;
  const n = text.length;
  const skipWs = (): void => {
    while (i < n && WS.has(text.charCodeAt(i))) i++;
  };
  const readString = (): string => {
    const start = i;
    i++; // opening quote
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x5c) i += 2;
      else if (c === 0x22) break;
      else i++;
    }
    i++; // closing quote
    return text.slice(start, i);
  };
  for (;;) {
    skipWs();
    if (i >= n || text[i] === "}") break;
    const key = JSON.parse(readString()) as string;
    skipWs();
    i++; // colon
    skipWs();
    let raw = "";
    let depth = 0;
    while (i < n) {
      const ch = text[i] as string;
      if (ch === '"') {
        raw += readString();
        if (depth === 0) break;
        continue;
      }
      if (depth === 0 && (ch === "," || ch === "}")) break;
      if (ch === "{" || ch === "[") depth++;
      else if (ch === "}" || ch === "]") depth--;
      if (!WS.has(text.charCodeAt(i))) raw += ch;
      i++;
      if (depth === 0 && (ch === "}" || ch === "]")) break;
    }
    out.delete(key);
    out.set(key, raw);
    skipWs();
    if (text[i] === ",") i++;
  }
  return [...out];
}
