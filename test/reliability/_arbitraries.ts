/**
 * fast-check arbitraries for valid equipment records and the things around
 * them: ids from the grammar, labels and roots from all of Unicode (control
 * characters included; lone surrogates are refused by the validator, see
 * writer.test.ts), clock readings over the
 * whole four-digit-year range, and unknown members a newer minor might add.
 */
import fc from "fast-check";

const KNOWN = new Set(["schema_version", "id", "label", "configured_local_root", "configured_nas_root", "first_seen_at", "last_modified_at"]);

/** `^[A-Z][A-Z0-9_]*$`, at most 32 characters. */
export const equipmentId = fc.stringMatching(/^[A-Z][A-Z0-9_]{0,31}$/);

/** Any UTF-16 code unit, controls included (strings with lone surrogates are filtered out below). */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n));

/** Non-empty text of every kind a label or root might hold. */
export const text = fc.oneof(
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }),
  fc.string({ unit: "binary", minLength: 1, maxLength: 40 }),
  fc.string({ unit: codeUnit, minLength: 1, maxLength: 40 }).filter((s) => !/\p{Cs}/u.test(s)),
);

/** Root paths: POSIX, UNC and Windows shapes, and arbitrary text. */
export const root = fc.oneof(
  fc.array(fc.stringMatching(/^[A-Za-z0-9 ._-]{1,12}$/), { minLength: 1, maxLength: 5 }).map((s) => `/${s.join("/")}`),
  fc.tuple(fc.stringMatching(/^[a-z0-9-]{1,10}$/), fc.stringMatching(/^[A-Za-z0-9_]{1,10}$/)).map(([h, s]) => `//${h}/${s}`),
  fc.stringMatching(/^[A-Z]$/).map((d) => `${d}:\\Lab Data\\raw`),
  text,
);

/** A clock reading in years 0001-9999, what the timestamp format and Python's datetime both hold. */
export const instant = fc.date({ min: new Date("0001-01-01T00:00:00.000Z"), max: new Date("9999-12-31T23:59:59.999Z"), noInvalidDate: true });

/** A valid write payload. */
export const payload = fc.record({
  id: equipmentId,
  label: text,
  configured_local_root: root,
  configured_nas_root: root,
});

/** Members a newer minor might add: any names but the known ones, any JSON values. */
export const extras = fc.dictionary(
  fc.string({ unit: "binary", maxLength: 12 }).filter((k) => !KNOWN.has(k)),
  fc.jsonValue({ maxDepth: 3 }),
  { maxKeys: 4 },
);

/** `YYYY-MM-DDTHH:MM:SSZ` of an instant. */
export function seconds(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
