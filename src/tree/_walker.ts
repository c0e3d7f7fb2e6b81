/**
 * The walk of one root: depth first, one folder at a time, each folder's
 * entries in directory order, applying every rule of the application's
 * audit at the folder where the application applies it. Memory holds the
 * listings of the folders on the current path only (plus the findings),
 * and the depth is bounded.
 *
 * @module
 */
import { readdirSync, type Dirent } from "node:fs";
import { join, sep } from "node:path";
import { auditCreation, type AuditCreation } from "./_creation-source.js";
import { scanContent } from "./_content.js";
import { recordFlags } from "./_flags.js";
import { levelOf, runPathOf, type Level } from "./_levels.js";
import { modeHits } from "./_mode.js";
import { readBounded } from "./_read.js";
import { missingFieldHits, readmeLayers, requiredFieldIds } from "./_readme-fields.js";
import { fileNameHits, folderNameHits, projectNameHits, pySuffix } from "./_rules.js";
import { NO_FLAGS, makeFinding, type Flags, type Hit, type SourcedFinding } from "./finding.js";
import { pyRepr } from "./pyrepr.js";

/** The cache folder's name: never walked, never judged. */
const CACHE_DIR = ".exlab-wizard";
/** Records are small; a bigger one is reported rather than read. */
const RECORD = join(CACHE_DIR, "creation.json");
const README_FIELDS = join(CACHE_DIR, "readme_fields.json");
const MAX_RECORD_BYTES = 16 * 1024 * 1024;

/** `dir` and `name` joined: `dir` is already normal (it came from join), so no normalising pass. */
function child(dir: string, name: string): string {
  return dir.endsWith(sep) ? dir + name : dir + sep + name;
}

/** Counts kept while walking. */
export interface WalkCounts {
  folders: number;
  files: number;
  /** Files whose content was read. */
  scanned: number;
  /** Bytes of content read. */
  bytes: number;
}

/** What a walk needs besides the root. */
export interface WalkContext {
  readonly now: Date;
  readonly appCompatible: boolean;
  readonly maxDepth: number;
  /** Lower-cased extensions whose content is scanned. */
  readonly extensions: ReadonlySet<string>;
  readonly capBytes: number;
  readonly counts: WalkCounts;
  readonly emit: (f: SourcedFinding) => void;
  /** Called between folders; may pause (to yield) or throw (to stop). */
  readonly tick: () => Promise<void>;
  /** Called when a top-level folder (a project) of the root is entered. */
  readonly projectStarted: () => void;
}

/** One root to walk. */
export interface WalkRoot {
  /** The root as walked (`<local_root>/<ID>`). */
  readonly walked: string;
  /** Its resolved path, used where the application uses it. */
  readonly resolved: string;
  /** When set, only this top-level folder (a project) is walked. */
  readonly onlyProject?: string | undefined;
}

interface Pending {
  readonly path: string;
  readonly parts: readonly string[];
}

/** Walk one root, emitting every finding. */
export async function walkRoot(root: WalkRoot, ctx: WalkContext): Promise<void> {
  const base = ctx.appCompatible ? root.resolved : root.walked;
  // Depth first with an explicit stack: each entry is a folder still to visit.
  const stack: Pending[] = [{ path: root.walked, parts: [] }];
  while (stack.length > 0) {
    const dir = stack.pop() as Pending;
    await ctx.tick();
    const children = visit(dir, base, root, ctx);
    // Reversed so that they are visited in directory order.
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as Pending);
  }
}


function list(path: string): Dirent[] | NodeJS.ErrnoException {
  try {
    return readdirSync(path, { withFileTypes: true });
  } catch (err) {
    return err as NodeJS.ErrnoException;
  }
}

/** The record of a folder and what the application makes of it. */
interface FolderRecord {
  readonly path: string;
  readonly read: AuditCreation | undefined;
  readonly flags: Flags;
  readonly typed: boolean;
}

function own(hit: Hit, runPath: string, offending: string, flags: Flags, sources: string[]): SourcedFinding {
  return { finding: makeFinding(hit, runPath, offending, flags), sources };
}

function unreadable(path: string, runPath: string, reason: string, appStops = true): SourcedFinding {
  const consequence = appStops ? "the application's audit stops on it" : "it is treated as absent";
  const hit: Hit = { rule: "unreadable_record", offending_kind: "file_content", matched_token: null, rule_detail: `Record ${pyRepr(path)} cannot be read: ${reason}; ${consequence}.` };
  return own(hit, runPath, path, NO_FLAGS, [path]);
}

function readRecord(dir: string, hasCache: boolean, level: Level, runPath: string, ctx: WalkContext): FolderRecord {
  const path = child(dir, RECORD);
  if (!hasCache) return { path, read: undefined, flags: NO_FLAGS, typed: false };
  const r = readBounded(path, MAX_RECORD_BYTES, true);
  if (r.kind !== "bytes") {
    if (r.kind === "too_large") ctx.emit(unreadable(path, runPath, `it is larger than the ${MAX_RECORD_BYTES} bytes read`, false));
    return { path, read: undefined, flags: NO_FLAGS, typed: false };
  }
  ctx.counts.files++;
  const read = auditCreation(r.bytes);
  if (read.state === "fatal") {
    ctx.emit(unreadable(path, runPath, read.reason));
    return { path, read, flags: NO_FLAGS, typed: false };
  }
  if (read.state !== "typed") return { path, read, flags: NO_FLAGS, typed: false };
  const flags = recordFlags(read.facts, ctx.now);
  if ("hazard" in flags) {
    // Only a project's or run's overrides stop the application's audit.
    const ruled = level === "project" || level === "run" || level === "test_run";
    if (ruled) {
      ctx.emit(unreadable(path, runPath, flags.hazard));
      return { path, read, flags: NO_FLAGS, typed: true };
    }
    return { path, read, flags: NO_FLAGS, typed: true };
  }
  return { path, read, flags: flags.flags, typed: true };
}

/** Apply the folder's own rules, then its entries' rules; return the subfolders to visit. */
function visit(dir: Pending, base: string, root: WalkRoot, ctx: WalkContext): Pending[] {
  ctx.counts.folders++;
  if (dir.parts.length === 1) ctx.projectStarted();
  const level = levelOf(dir.parts);
  const runPath = runPathOf(level, dir.path, base, dir.parts);
  const listing = list(dir.path);
  const entries = Array.isArray(listing) ? listing : [];
  const hasCache = Array.isArray(listing) ? entries.some((e) => e.name === CACHE_DIR) : true;
  const record = readRecord(dir.path, hasCache, level, runPath, ctx);
  const recordSources = record.typed ? [record.path] : [];
  const leaf = dir.parts.at(-1) ?? "";

  if (level === "project" || level === "run" || level === "test_run") {
    for (const hit of folderNameHits(leaf)) ctx.emit(own(hit, runPath, dir.path, record.flags, [dir.path, ...recordSources]));
    if (!record.typed) {
      const what = level === "project" ? "Project-level" : "Run-level";
      const hit: Hit = { rule: "orphan", offending_kind: "directory_segment", matched_token: null, rule_detail: `${what} directory has no creation.json -- the cache file is expected at this level but is missing.` };
      ctx.emit(own(hit, runPath, dir.path, NO_FLAGS, [dir.path, record.path]));
    }
    if (record.typed && record.read?.state === "typed" && level !== "project") {
      for (const hit of modeHits(record.read.facts.runKind, leaf, dir.parts.at(-2) ?? "")) ctx.emit(own(hit, runPath, dir.path, record.flags, [dir.path, record.path]));
    }
    requiredFields(dir.path, record, runPath, ctx);
    if (level === "project") for (const hit of projectNameHits(leaf)) ctx.emit(own(hit, runPath, dir.path, record.flags, [dir.path, ...recordSources]));
  }

  if (!Array.isArray(listing)) {
    const hit: Hit = { rule: "unlisted_folder", offending_kind: "directory_segment", matched_token: listing.code ?? null, rule_detail: `Folder ${pyRepr(dir.path)} could not be listed (${listing.code ?? listing.message}); nothing below it was checked.` };
    ctx.emit(own(hit, runPath, dir.path, NO_FLAGS, [dir.path]));
    return [];
  }

  const subfolders: Pending[] = [];
  for (const e of entries) {
    const name = e.name;
    if (name === CACHE_DIR || e.isSymbolicLink()) continue;
    if (dir.parts.length === 0 && root.onlyProject !== undefined && name !== root.onlyProject) continue;
    const path = child(dir.path, name);
    if (e.isDirectory()) {
      for (const hit of folderNameHits(name)) ctx.emit(own(hit, runPath, path, record.flags, [path, ...recordSources]));
      const parts = [...dir.parts, name];
      if (parts.length > ctx.maxDepth) {
        const hit: Hit = { rule: "depth_limit", offending_kind: "directory_segment", matched_token: null, rule_detail: `Folder ${pyRepr(path)} is ${parts.length} levels below the root, past the bound of ${ctx.maxDepth}; nothing below it was checked.` };
        ctx.emit(own(hit, runPath, path, NO_FLAGS, [path]));
        continue;
      }
      subfolders.push({ path, parts });
    } else if (e.isFile()) {
      ctx.counts.files++;
      for (const hit of fileNameHits(name)) ctx.emit(own(hit, runPath, path, record.flags, [path, ...recordSources]));
      if (!ctx.extensions.has(pySuffix(name).toLowerCase())) continue;
      const scan = scanContent(path, ctx.capBytes);
      if (scan.bytes > 0) {
        ctx.counts.scanned++;
        ctx.counts.bytes += scan.bytes;
      }
      for (const hit of scan.hits) ctx.emit(own(hit, runPath, path, record.flags, [path, ...recordSources]));
    }
  }
  return subfolders;
}

/** Findings of `missing_required_field` at a project or run folder. */
function requiredFields(dir: string, record: FolderRecord, runPath: string, ctx: WalkContext): void {
  const raw = record.read?.state === "typed" || record.read?.state === "untyped" ? record.read.raw : undefined;
  const ids = requiredFieldIds(raw);
  if (ids.length === 0) return;
  const path = child(dir, README_FIELDS);
  const r = readBounded(path, MAX_RECORD_BYTES, true);
  if (r.kind !== "bytes") return;
  const layers = readmeLayers(r.bytes);
  if (layers.state === "fatal") {
    ctx.emit(unreadable(path, runPath, layers.reason));
    return;
  }
  if (layers.state !== "typed") return;
  if (ids.some((id) => typeof id === "object" && id !== null)) {
    ctx.emit(unreadable(record.path, runPath, "an entry of `required_readme_field_ids` is a list or object"));
    return;
  }
  for (const hit of missingFieldHits(ids, layers.layers)) ctx.emit(own(hit, runPath, path, record.flags, [path, record.path]));
}
