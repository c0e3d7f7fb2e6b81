/**
 * The rules `checkTree` (and `exlab-cache check`) apply to a walked tree. Pure: every fact
 * comes from a {@link TreeScan}; nothing here touches the disk.
 *
 * @module
 */
import { ExlabCacheError, ValidationError, errnoCode } from "../errors.js";
import type { EquipmentScan, FileScan, MarkerScan, ProjectScan, RunFolderScan, ScanError, TreeScan } from "./scan.js";
import { MARKERS } from "../schema/marker.js";

/** The rules, each a stable identifier. */
export const CHECK_RULES = [
  "unreadable_file",
  "invalid_file",
  "schema_major_mismatch",
  "id_mismatch",
  "missing_equipment_json",
  "bad_folder_name",
  "marker_mismatch",
  "run_kind_mismatch",
  "misplaced_marker",
  "stale_temp_file",
  "timestamps_out_of_order",
  "symlinked_folder",
  "undecodable_name",
  "temp_named_folder",
  "unsafe_filesystem",
] as const;

/** One of {@link CHECK_RULES}. */
export type CheckRule = (typeof CHECK_RULES)[number];

/** One problem found in the tree. */
export interface Finding {
  /** Which rule found it. */
  rule: CheckRule;
  /** The file or folder concerned. */
  path: string;
  /** One sentence for people. */
  message: string;
  /** The error code (`validation_failed`, `schema_major_mismatch`, `EACCES`...), or null when no error is involved. */
  code: string | null;
  /** The field concerned, or null. */
  field: string | null;
}

const finding = (rule: CheckRule, path: string, message: string, code: string | null = null, field: string | null = null): Finding => ({ rule, path, message, code, field });

/**
 * Every problem in `scan`, sorted by path, then rule, then message.
 *
 * @example
 * ```ts
 * const findings = findProblems(await scanTree("/data/lab"));
 * for (const f of findings) console.log(`${f.path}: ${f.rule}: ${f.message}`);
 * ```
 */
export function findProblems(scan: TreeScan): Finding[] {
  const out: Finding[] = [];
  for (const eq of scan.equipment) checkEquipment(eq, out);
  for (const p of scan.symlinks) {
    out.push(finding("symlinked_folder", p, "A symbolic link to a folder where the tree has folders; not followed (cache files must lie inside the root)"));
  }
  for (const p of scan.undecodable) {
    out.push(finding("undecodable_name", p, "The folder name is not valid UTF-8 (shown with \\xNN escapes); it was not entered"));
  }
  for (const fs of scan.unsafeFilesystems) {
    out.push(
      finding(
        "unsafe_filesystem",
        fs.path,
        `On a ${fs.kind} filesystem (${fs.fsType}): file locks do not exclude writers on other machines or other views of this folder; concurrent writes can be lost`,
      ),
    );
  }
  return out.sort((a, b) => cmp(a.path, b.path) || cmp(a.rule, b.rule) || cmp(a.message, b.message));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function checkEquipment(eq: EquipmentScan, out: Finding[]): void {
  if (eq.error !== undefined) {
    out.push(unreadable(eq.path, eq.error));
    return;
  }
  if (!eq.idValid) {
    out.push(finding("bad_folder_name", eq.path, `\`${eq.name}\` holds a cache folder but is not a valid equipment id (^[A-Z][A-Z0-9_]*$, max 32)`));
  }
  if (eq.cacheDir?.error !== undefined) out.push(unreadable(eq.cacheDir.path, eq.cacheDir.error));
  for (const t of eq.cacheDir?.tempFiles ?? []) out.push(staleTemp(t));
  for (const t of eq.cacheDir?.tempFolders ?? []) out.push(tempFolder(t));
  if (eq.equipment === undefined) {
    if (eq.cacheDir?.error === undefined) {
      out.push(finding("missing_equipment_json", eq.path, `Equipment folder \`${eq.name}\` has no .exlab-wizard/equipment.json`));
    }
  } else if (fileProblem(eq.equipment, out)) {
    const rec = eq.equipment.record;
    if (rec !== undefined && rec.id !== eq.name) {
      out.push(finding("id_mismatch", eq.equipment.path, `\`id\` is \`${rec.id}\` but the file sits in folder \`${eq.name}\``, null, "id"));
    }
    if (rec !== undefined && rec.last_modified_at < rec.first_seen_at) {
      out.push(
        finding(
          "timestamps_out_of_order",
          eq.equipment.path,
          `\`last_modified_at\` (${rec.last_modified_at}) is earlier than \`first_seen_at\` (${rec.first_seen_at})`,
          null,
          "last_modified_at",
        ),
      );
    }
  }
  for (const p of eq.projects) checkProject(eq, p, out);
}

function checkProject(eq: EquipmentScan, p: ProjectScan, out: Finding[]): void {
  if (p.error !== undefined) {
    out.push(unreadable(p.path, p.error));
    return;
  }
  for (const rf of p.runFolders) checkRunFolder(eq, p, rf, out);
}

function checkRunFolder(eq: EquipmentScan, p: ProjectScan, rf: RunFolderScan, out: Finding[]): void {
  if (rf.cacheDir?.error !== undefined) out.push(unreadable(rf.cacheDir.path, rf.cacheDir.error));
  for (const t of rf.cacheDir?.tempFiles ?? []) out.push(staleTemp(t));
  for (const t of rf.cacheDir?.tempFolders ?? []) out.push(tempFolder(t));
  const ownFile = MARKERS[rf.kind].file;
  for (const m of rf.markers) {
    if (m.fileName !== ownFile) {
      out.push(finding("misplaced_marker", m.file.path, `\`${m.fileName}\` does not belong under ${rf.name}/ (its marker is \`${ownFile}\`)`));
    }
    checkMarker(eq, p, rf, m, out);
  }
}

function checkMarker(eq: EquipmentScan, p: ProjectScan, rf: RunFolderScan, m: MarkerScan, out: Finding[]): void {
  const { file } = m;
  const error = file.error;
  // A `run_kind` of the other kind is its own rule; the file's other
  // problems, if any, are still reported as invalid_file.
  if (error instanceof ValidationError && error.issues.some((i) => i.path === "run_kind")) {
    const found = error.issues.find((i) => i.path === "run_kind")?.received ?? "?";
    out.push(finding("run_kind_mismatch", file.path, `\`run_kind\` is ${found} but the file sits under ${rf.name}/ (expected \`${rf.kind}\`)`, error.code, "run_kind"));
    const rest = error.issues.filter((i) => i.path !== "run_kind");
    if (rest.length > 0) fileProblem({ path: file.path, error: new ValidationError(rest, { path: file.path }) }, out);
    return;
  }
  if (!fileProblem(file, out) || file.record === undefined) return;
  const rec = file.record;
  if (rec.equipment !== eq.name) {
    out.push(finding("marker_mismatch", file.path, `\`equipment\` is \`${rec.equipment}\` but the marker sits under equipment folder \`${eq.name}\``, null, "equipment"));
  }
  if (rec.project !== p.name) {
    out.push(finding("marker_mismatch", file.path, `\`project\` is \`${rec.project}\` but the marker sits under project folder \`${p.name}\``, null, "project"));
  }
}

/** Push the finding for a file that could not be used; true when it could. */
function fileProblem(file: FileScan<unknown>, out: Finding[]): boolean {
  const err = file.error;
  if (err === undefined) return true;
  if (err instanceof ExlabCacheError && err.code === "schema_major_mismatch") {
    out.push(finding("schema_major_mismatch", file.path, err.message, err.code, err.field ?? null));
  } else if (err instanceof ExlabCacheError && (err.code === "validation_failed" || err.code === "malformed_file")) {
    out.push(finding("invalid_file", file.path, err.message, err.code, err.field ?? null));
  } else {
    out.push(unreadable(file.path, err));
  }
  return false;
}

function unreadable(path: string, err: ScanError): Finding {
  const code = err instanceof ExlabCacheError ? err.code : (errnoCode(err) ?? null);
  return finding("unreadable_file", path, `Cannot read: ${err.message}`, code);
}

function tempFolder(path: string): Finding {
  return finding("temp_named_folder", path, "A folder named like a writer's temp file; writers leave it alone (remove or rename it)");
}

function staleTemp(path: string): Finding {
  return finding("stale_temp_file", path, "Temp file left by a writer that did not finish (the next write to this file removes it)");
}

