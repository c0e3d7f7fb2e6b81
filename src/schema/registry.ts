/**
 * Every cache record kind this package knows. The tree walk, `check`,
 * `show`, `ls` and the emitted JSON Schema files go through this list, so a
 * new kind is one descriptor file and one line here (docs/adding-a-record.md).
 *
 * @module
 */
import { EQUIPMENT } from "./equipment.js";
import { CREATION } from "./kinds/creation.js";
import { INGEST } from "./kinds/ingest.js";
import { README_FIELDS } from "./kinds/readme-fields.js";
import { RUNS, TEST_RUNS } from "./marker.js";
import type { RecordDescriptor } from "./record.js";

/** The record kinds, in the order they are listed and reported. */
export const RECORD_KINDS: readonly RecordDescriptor[] = [EQUIPMENT, TEST_RUNS, RUNS, CREATION, INGEST, README_FIELDS];

/** The kind whose file is named `file`, if any. */
export function recordKindOfFile(file: string): RecordDescriptor | undefined {
  return RECORD_KINDS.find((d) => d.file === file);
}
