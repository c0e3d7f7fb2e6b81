/**
 * The numbered messages the concurrent-append tests write (the Python
 * writer in test/python/log_append.py builds the same ones), and the check
 * that a message is one of them, whole.
 */

const LETTERS = "abcdefghijklmnopqrstuvwxyz";

/** The message of line `i` of writer `id`: `<id>#<i>:<n>:<n letters>`, n from 0 to 949. */
export function payload(id: string, i: number): string {
  const n = (i * 97 + id.length * 13) % 950;
  let body = "";
  while (body.length < n) body += LETTERS;
  return `${id}#${i}:${n}:${body.slice(0, n)}`;
}

/** The writer and number of a whole message, or undefined for anything else. */
export function parsePayload(message: string): { id: string; i: number } | undefined {
  const m = /^([A-Za-z0-9_-]+)#(\d+):(\d+):([a-z]*)$/.exec(message);
  if (m === null) return undefined;
  const id = m[1] ?? "";
  const i = Number(m[2]);
  return payload(id, i) === message ? { id, i } : undefined;
}
