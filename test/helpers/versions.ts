/**
 * Versions that say who wrote them. In the multi-process tests every write
 * is numbered (writer id, sequence); from the number alone the exact bytes of
 * that write can be computed, so a file read back is either one whole write
 * somebody made or a failure. Labels vary in length (and in UTF-8 width) so
 * that a mix of two versions cannot pass for either.
 */

/** `first_seen_at` of the first write; every later write must keep it. */
export const FIRST_SEEN = "2025-01-01T00:00:00Z";
const FIRST_MS = Date.parse(FIRST_SEEN);

/** The roots every numbered equipment write carries. */
export const ROOTS = { configured_local_root: "/data/lab", configured_nas_root: "//nas01/lab" } as const;

const PAD = "aü€";

/** The clock reading of write `seq` of `writer`: distinct for every pair, all after {@link FIRST_SEEN}. */
export function stampOf(writer: number, seq: number): Date {
  return new Date(FIRST_MS + 1000 * (1 + writer * 100_000 + seq));
}

/** `YYYY-MM-DDTHH:MM:SSZ` of a date. */
export function isoSeconds(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** The label of write `seq` of `writer`: `w<writer>.<seq>:` then 0–399 padding characters. */
export function labelOf(writer: number, seq: number): string {
  const n = (writer * 7919 + seq * 104_729) % 400;
  let pad = "";
  for (let i = 0; i < n; i++) pad += PAD[i % PAD.length] ?? "";
  return `w${writer}.${seq}:${pad}`;
}

/** The (writer, seq) a label names, when it is one {@link labelOf} makes. */
export function parseLabel(label: string): { writer: number; seq: number } | undefined {
  const m = /^w(\d+)\.(\d+):/.exec(label);
  if (m === null) return undefined;
  const writer = Number(m[1]);
  const seq = Number(m[2]);
  return labelOf(writer, seq) === label ? { writer, seq } : undefined;
}

/** The equipment payload of write `seq` of `writer`. */
export function numberedPayload(id: string, writer: number, seq: number) {
  return { id, label: labelOf(writer, seq), ...ROOTS };
}

/** The exact bytes of `equipment.json` after write `seq` of `writer`, given the file's first write was at {@link FIRST_SEEN}. */
export function equipmentBytes(id: string, writer: number, seq: number): string {
  return JSON.stringify({
    schema_version: "1.0",
    id,
    label: labelOf(writer, seq),
    ...ROOTS,
    first_seen_at: FIRST_SEEN,
    last_modified_at: isoSeconds(stampOf(writer, seq)),
  });
}

/** The `created_at` a writer puts in the markers it writes. */
export function markerStamp(writer: number): string {
  return isoSeconds(stampOf(writer, 0));
}

/** The exact bytes of a marker written by `writer`. */
export function markerBytes(kind: "test" | "experimental", project: string, equipment: string, writer: number): string {
  return JSON.stringify({ schema_version: "1.0", run_kind: kind, created_at: markerStamp(writer), project, equipment });
}

/** A small seeded PRNG (mulberry32): the same seed gives the same schedule. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
