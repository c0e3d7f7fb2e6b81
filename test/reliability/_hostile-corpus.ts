/**
 * The hostile-input corpus: test/fixtures/hostile/manifest.json, its
 * committed files, and the cases built at test time (too big or too deep to
 * commit). See the manifest's "about" for the vocabulary.
 */
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** test/fixtures/hostile in the source tree (fixtures are not compiled). */
export const CORPUS_DIR = fileURLToPath(new URL("../../../test/fixtures/hostile/", import.meta.url));

export type Reader = "equipment" | "test_runs" | "runs";

export type ReadExpectation =
  | { code: string; fields?: string[]; found?: string }
  | { accept: string; record: Record<string, unknown> };

export type WriteExpectation =
  | { policy: "kept-aside"; first_seen_at: string }
  | { policy: "refused"; code: string }
  | { policy: "rewritten"; first_seen_at: string; version?: string; keeps?: Record<string, string> }
  | { policy: "unchanged" };

export interface HostileCase {
  /** Fixture file name, or the generator's name. */
  name: string;
  generated: boolean;
  as: Reader;
  tries: string;
  read: ReadExpectation;
  write: WriteExpectation;
}

interface ManifestEntry {
  file?: string;
  name?: string;
  as: Reader;
  tries: string;
  read: ReadExpectation;
  write: WriteExpectation;
}

/** Every case of the manifest, committed files first. */
export function loadCorpus(): HostileCase[] {
  const manifest = JSON.parse(readFileSync(`${CORPUS_DIR}manifest.json`, "utf8")) as { cases: ManifestEntry[]; generated: ManifestEntry[] };
  const take = (e: ManifestEntry, generated: boolean): HostileCase => ({
    name: (generated ? e.name : e.file) ?? "",
    generated,
    as: e.as,
    tries: e.tries,
    read: e.read,
    write: e.write,
  });
  return [...manifest.cases.map((e) => take(e, false)), ...manifest.generated.map((e) => take(e, true))];
}

/** The fixture files on disk that are cases (not the manifests). */
export function corpusFiles(): string[] {
  return readdirSync(CORPUS_DIR).filter((f) => f !== "manifest.json" && f !== "path-arguments.json");
}

const VALID_REST =
  '"id":"CONFOCAL_01","label":"Confocal Microscope 1","configured_local_root":"/data/lab","configured_nas_root":"//nas01/lab",' +
  '"first_seen_at":"2025-09-12T09:14:00Z","last_modified_at":"2026-04-17T14:32:00Z"';
const DEEP = 500_000;

/** Arrays nested 500,000 deep: 1,000,000 bytes, under the 1 MiB read limit. */
export const deepArrays = (): string => "[".repeat(DEEP) + "]".repeat(DEEP);

/** A file of exactly `size` bytes that starts like a record. */
function padded(size: number): Buffer {
  const head = Buffer.from('{"schema_version":"1.0","id":"CONFOCAL_01","label":"');
  const buf = Buffer.alloc(size, 0x78);
  head.copy(buf);
  buf.write('"}', size - 2);
  return buf;
}

/** The bytes of a generated case. */
export function generate(name: string): Buffer {
  switch (name) {
    case "fifty-megabytes":
      return padded(50 * 1024 * 1024);
    case "one-byte-over-the-limit":
      return padded(1024 * 1024 + 1);
    case "deep-arrays-top-level":
      return Buffer.from(deepArrays());
    case "deep-arrays-in-unknown-field":
      return Buffer.from(`{"schema_version":"1.0",${VALID_REST},"deep":${deepArrays()}}`);
    case "deep-arrays-as-version":
      return Buffer.from(`{"schema_version":${deepArrays()},${VALID_REST}}`);
    case "deep-objects-as-label":
      return Buffer.from(`{"schema_version":"1.0",${VALID_REST.replace('"label":"Confocal Microscope 1"', `"label":${'{"a":'.repeat(150_000)}1${"}".repeat(150_000)}`)}}`);
    case "huge-string-as-version":
      return Buffer.from(`{"schema_version":"${"x".repeat(900_000)}",${VALID_REST}}`);
    default:
      throw new Error(`no generator named ${name}`);
  }
}

/** The raw text an expected kept member stands for (`<generated>` is the deep array). */
export function keptRaw(raw: string): string {
  return raw === "<generated>" ? deepArrays() : raw;
}
