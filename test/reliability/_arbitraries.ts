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

/** Project folder names: printable ASCII without `< > : " / \ | ? *`, no surrounding space, no final dot, no device name. */
export const projectName = fc
  .stringMatching(/^[A-Za-z0-9 !#$%&'()+,.;=@[\]^_`{}~-]{1,40}$/)
  .filter((s) => s.trim() === s && !s.endsWith(".") && !/^(con|prn|aux|nul|com[1-9]|lpt[1-9])$/i.test((s.split(".")[0] ?? "").trim()));

/** A whole valid `equipment.json` record, as the writer would put it on disk. */
export const equipmentRecord = fc
  .tuple(payload, instant, instant, fc.nat({ max: 20 }))
  .map(([p, a, b, minor]) => ({
    schema_version: `1.${minor}`,
    ...p,
    first_seen_at: seconds(a),
    last_modified_at: seconds(b),
  }));

/** A whole valid marker of `kind`; `run_kind` sometimes left out, as the Python application does. */
export function markerRecord(kind: "test" | "experimental"): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(projectName, equipmentId, instant, fc.boolean(), fc.nat({ max: 20 }))
    .map(([project, equipment, at, withKind, minor]) => ({
      schema_version: `1.${minor}`,
      ...(withKind ? { run_kind: kind } : {}),
      created_at: seconds(at),
      project,
      equipment,
    }));
}

/** Text shaped like a timestamp, with every part drawn from a range wider than valid (month 13, hour 25, 30 February...). */
export const nearTimestamp = fc
  .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 14 }), fc.integer({ min: 0, max: 33 }), fc.integer({ min: 0, max: 26 }), fc.integer({ min: 0, max: 61 }), fc.integer({ min: 0, max: 61 }))
  .map(([y, mo, d, h, mi, s]) => {
    const p = (n: number, w = 2): string => String(n).padStart(w, "0");
    return `${p(y, 4)}-${p(mo)}-${p(d)}T${p(h)}:${p(mi)}:${p(s)}Z`;
  });

/** Values a field might wrongly hold: near misses of every field rule, and any JSON. */
export const fieldMutation = fc.oneof(
  nearTimestamp,
  fc.stringMatching(/^[0-9]{1,3}\.[0-9]{1,3}$/),
  fc.stringMatching(/^[A-Za-z0-9_ ]{0,34}$/),
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((n) => String.fromCharCode(n)), maxLength: 12 }),
  fc.constantFrom("con", "CON.txt", "lpt1 .x", "Aux", "a.", " a", "a ", "x".repeat(256), "\ud800", "a\udc00b", "", "test", "experimental"),
  fc.string({ unit: codeUnit, maxLength: 6 }),
  fc.jsonValue({ maxDepth: 2 }),
);
