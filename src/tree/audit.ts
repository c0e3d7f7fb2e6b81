/**
 * The application's Problems audit over a lab tree: every configured
 * equipment folder (or one, or one project), walked once, each rule applied
 * where the application applies it, the findings in the application's
 * order, each tagged with the files it came from.
 *
 * @module
 */
import { readdirSync, realpathSync, statSync } from "node:fs";
import { join } from "node:path";
import { ExlabCacheError } from "../errors.js";
import { walkRoot, type WalkContext, type WalkCounts, type WalkRoot } from "./_walker.js";
import { DEFAULT_SCAN_EXTENSIONS, readAuditConfig, type AuditConfig } from "./config.js";
import { compareFindings, type SourcedFinding } from "./finding.js";

/** Which part of the lab to audit. */
export type AuditScope =
  | { readonly kind: "all" }
  | { readonly kind: "equipment"; readonly equipment: string }
  | { readonly kind: "project"; readonly equipment: string; readonly project: string };

/** Counts reported while auditing. */
export interface AuditProgress {
  /** Folders visited so far. */
  readonly folders: number;
  /** Files seen so far. */
  readonly files: number;
  /** Project folders entered so far. */
  readonly projects: number;
  /** Project folders to visit in all (counted before the walk). */
  readonly projectsTotal: number;
  /** Findings so far. */
  readonly findings: number;
}

/** Options of {@link auditTree}. */
export interface AuditOptions {
  /** The settings, or the path of a `config.yaml` to read them from. */
  readonly config: AuditConfig | string;
  /** @default `{ kind: "all" }` */
  readonly scope?: AuditScope | undefined;
  /** The clock deciding override expiry and `audit_at`. @default `() => new Date()` */
  readonly now?: (() => Date) | undefined;
  /** Stops the walk; the promise then rejects with the signal's reason. */
  readonly signal?: AbortSignal | undefined;
  /** Called as the walk goes (at most every 256 folders, and at the end). */
  readonly onProgress?: ((progress: AuditProgress) => void) | undefined;
  /**
   * Reproduce the application where it is only odd: the staging root walked
   * as one equipment folder, and the root's resolved path in the `run_path`
   * of the root and of folders below runs. @default false
   */
  readonly appCompatible?: boolean | undefined;
  /** How many folders deep below a root the walk goes. @default 1000 */
  readonly maxDepth?: number | undefined;
}

/** An audit's result. */
export interface AuditResult {
  /** The findings, in the application's order, each with its sources. */
  readonly findings: readonly SourcedFinding[];
  /** When the audit ran, `YYYY-MM-DDTHH:MM:SS.ffffff+00:00` as the application writes it. */
  readonly auditAt: string;
  /** What the walk covered. */
  readonly counts: Readonly<WalkCounts> & { readonly roots: number };
}

/** A scope naming equipment or a project that is not configured or not there. */
export class AuditScopeError extends ExlabCacheError {
  constructor(message: string, details: Record<string, unknown>) {
    super("scope_not_found", message, { details });
  }
}

const YIELD_MS = 20;

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function subfolders(path: string): string[] {
  try {
    return readdirSync(path, { withFileTypes: true })
      .filter((e) => e.isDirectory() && e.name !== ".exlab-wizard")
      .map((e) => e.name);
  } catch {
    return [];
  }
}

/** The roots of a scope: configured equipment folders, then the staging root (or its equipment folders). */
function rootsOf(config: AuditConfig, scope: AuditScope, appCompatible: boolean): WalkRoot[] {
  const make = (walked: string, onlyProject?: string): WalkRoot | undefined => {
    if (!isDir(walked)) return undefined;
    let resolved = walked;
    try {
      resolved = realpathSync(walked);
    } catch {
      return undefined;
    }
    return { walked, resolved, onlyProject };
  };
  const ids = config.localRoot === "" ? [] : config.equipmentIds;
  if (scope.kind !== "all") {
    if (!ids.includes(scope.equipment)) {
      throw new AuditScopeError(`Expected a configured equipment id (${ids.join(", ") || "none configured"}), got \`${scope.equipment}\``, { equipment: scope.equipment });
    }
    const project = scope.kind === "project" ? scope.project : undefined;
    const root = make(join(config.localRoot, scope.equipment), project);
    if (project !== undefined && (root === undefined || !isDir(join(root.walked, project)))) {
      throw new AuditScopeError(`No project folder \`${project}\` under equipment ${scope.equipment}`, { equipment: scope.equipment, project });
    }
    return root === undefined ? [] : [root];
  }
  const roots = ids.map((id) => make(join(config.localRoot, id)));
  const staging = config.stagingRoot;
  if (staging !== undefined && staging !== "") {
    if (appCompatible) roots.push(make(staging));
    else if (isDir(staging)) for (const name of subfolders(staging)) roots.push(make(join(staging, name)));
  }
  return roots.filter((r): r is WalkRoot => r !== undefined);
}

/** Python's `datetime.now(timezone.utc).isoformat()`. */
function pyIsoNow(d: Date): string {
  return `${d.toISOString().slice(0, 19)}.${String(d.getUTCMilliseconds()).padStart(3, "0")}000+00:00`;
}

/**
 * Audit a lab tree as the application's Problems tab does.
 *
 * @throws `InputError` / `ConfigError` when `config` is a path that cannot
 *   be read or is not a valid config; {@link AuditScopeError}
 *   (`scope_not_found`) for an unknown equipment or project; the signal's
 *   reason when aborted. Nothing in the tree makes it throw: what cannot be
 *   read is a finding.
 * @example
 * ```ts
 * const { findings } = await auditTree({ config: "/etc/exlab-wizard/config.yaml" });
 * for (const { finding } of findings) console.log(finding.rule, finding.offending_path);
 * ```
 */
export async function auditTree(options: AuditOptions): Promise<AuditResult> {
  const config = typeof options.config === "string" ? await readAuditConfig(options.config, { signal: options.signal }) : options.config;
  const signal = options.signal;
  signal?.throwIfAborted();
  const appCompatible = options.appCompatible === true;
  const roots = rootsOf(config, options.scope ?? { kind: "all" }, appCompatible);
  const now = (options.now ?? (() => new Date()))();
  const findings: SourcedFinding[] = [];
  const counts: WalkCounts = { folders: 0, files: 0, scanned: 0, bytes: 0 };
  const projectsTotal = roots.reduce((n, r) => n + (r.onlyProject !== undefined ? 1 : subfolders(r.walked).length), 0);
  let projects = 0;
  let lastYield = performance.now();
  const report = (): void =>
    options.onProgress?.({ folders: counts.folders, files: counts.files, projects, projectsTotal, findings: findings.length });
  const ctx: WalkContext = {
    now,
    appCompatible,
    maxDepth: options.maxDepth ?? 1000,
    extensions: new Set((config.contentScanExtensions ?? DEFAULT_SCAN_EXTENSIONS).map((e) => e.toLowerCase())),
    capBytes: (config.contentScanMaxMib ?? 5) * 1024 * 1024,
    counts,
    emit: (f) => findings.push(f),
    projectStarted: () => projects++,
    tick: async () => {
      if ((counts.folders & 255) === 0) report();
      // The walk reads synchronously (far faster than a promise per call);
      // it gives the event loop a turn every few milliseconds.
      if (performance.now() - lastYield < YIELD_MS) return;
      await new Promise((resolve) => setImmediate(resolve));
      lastYield = performance.now();
      signal?.throwIfAborted();
    },
  };
  for (const root of roots) await walkRoot(root, ctx);
  report();
  findings.sort((a, b) => compareFindings(a.finding, b.finding));
  return { findings, auditAt: pyIsoNow(now), counts: { ...counts, roots: roots.length } };
}
