/**
 * The finding record the application's validator returns (nine keys, in this
 * order), the rule and tier vocabulary, and the application's sort.
 *
 * @module
 */
import { PROBLEM_CLASSES } from "../schema/override-entries.js";

/**
 * The application's nine problem classes: the same array as
 * {@link PROBLEM_CLASSES}, the classes an override may waive.
 */
export const APP_RULES = PROBLEM_CLASSES;

/**
 * Rules of ours, for what the application cannot report: a record that
 * would abort its whole audit, a folder that could not be listed, and the
 * depth bound. They never occur in the application's output.
 */
export const OWN_RULES = ["unreadable_record", "unlisted_folder", "depth_limit"] as const;

/** A rule name: one of the application's or one of ours. */
export type Rule = (typeof APP_RULES)[number] | (typeof OWN_RULES)[number];

/** `hard` findings block sync unless overridden; `soft` ones only inform. */
export type Tier = "hard" | "soft";

/** What the offending path names. */
export type OffendingKind = "directory_segment" | "file_name" | "file_content";

/** Each rule's fixed tier. */
export const RULE_TIERS: Readonly<Record<Rule, Tier>> = {
  unresolved_placeholder_token: "hard",
  leftover_jinja_marker: "hard",
  illegal_filesystem_character: "hard",
  reserved_filesystem_name: "hard",
  mode_prefix_mismatch: "hard",
  orphan: "soft",
  missing_required_field: "soft",
  malformed_yaml_front_matter: "soft",
  unsafe_project_name: "soft",
  // A record nobody can read may hide a hard problem: it is reported as hard.
  unreadable_record: "hard",
  unlisted_folder: "hard",
  depth_limit: "hard",
};

/**
 * One finding, with exactly the application's nine keys in its order, so
 * `JSON.stringify` of it is the application's JSON.
 */
export interface Finding {
  readonly rule: Rule;
  readonly tier: Tier;
  /** The folder the finding is attributed to (not always a run). */
  readonly run_path: string;
  /** Audit: the absolute path; gate: the bare segment or file name. */
  readonly offending_path: string;
  readonly offending_kind: OffendingKind;
  /** The token, character, stem, field id or folder name that disagrees; null when none. */
  readonly matched_token: unknown;
  /** One English sentence, names in Python `repr()` quoting. */
  readonly rule_detail: string;
  /** Hard, and the record's `sync_status` is `synced` or `cleaned`. */
  readonly synced_under_prior_policy: boolean;
  /** An active override of the record names this rule. */
  readonly override_active: boolean;
}

/** A finding and the files it was computed from. */
export interface SourcedFinding {
  /** The application's record, nine keys. */
  readonly finding: Finding;
  /**
   * The files and folders the finding came from: the named artefact, and the
   * `creation.json` (or `readme_fields.json`) that decided it or its flags.
   */
  readonly sources: readonly string[];
}

/** The flags of the record governing a finding. */
export interface Flags {
  /** `sync_status` is `synced` or `cleaned`. */
  readonly synced: boolean;
  /** The problem classes of the record's active overrides. */
  readonly overridden: ReadonlySet<string>;
}

/** No record: both flags false. */
export const NO_FLAGS: Flags = { synced: false, overridden: new Set() };

/** The parts of a finding a rule decides; the rest come from where it was found. */
export interface Hit {
  readonly rule: Rule;
  readonly offending_kind: OffendingKind;
  readonly matched_token: unknown;
  readonly rule_detail: string;
}

/**
 * A full finding from a rule's hit, where it was found and the governing flags.
 *
 * @example
 * ```ts
 * const f = makeFinding(hit, "/lab/X/P", "/lab/X/P/a<b>.txt", NO_FLAGS);
 * ```
 */
export function makeFinding(hit: Hit, runPath: string, offendingPath: string, flags: Flags): Finding {
  const tier = RULE_TIERS[hit.rule];
  return {
    rule: hit.rule,
    tier,
    run_path: runPath,
    offending_path: offendingPath,
    offending_kind: hit.offending_kind,
    matched_token: hit.matched_token,
    rule_detail: hit.rule_detail,
    synced_under_prior_policy: tier === "hard" && flags.synced,
    override_active: flags.overridden.has(hit.rule),
  };
}

/**
 * Compare two strings by Unicode code point, as Python compares `str`
 * (JavaScript's `<` compares UTF-16 units, which orders characters above
 * U+FFFF before U+E000–U+FFFF).
 *
 * @example
 * ```ts
 * compareCodePoints("\u{1F600}", "\uFFFD"); // 1
 * ```
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate stands for a code point above every BMP character.
    const kx = x >= 0xd800 && x <= 0xdfff ? x + 0x10000 : x;
    const ky = y >= 0xd800 && y <= 0xdfff ? y + 0x10000 : y;
    return kx < ky ? -1 : 1;
  }
  return a.length - b.length;
}

const TIER_ORDER: Readonly<Record<string, number>> = { hard: 0, soft: 1 };

/**
 * The application's order: tier (hard first), then rule, then offending
 * path, by code point. `Array.prototype.sort` is stable, so ties keep the
 * order they were found in, as in the application.
 *
 * @example
 * ```ts
 * findings.sort((a, b) => compareFindings(a.finding, b.finding));
 * ```
 */
export function compareFindings(a: Finding, b: Finding): number {
  const t = (TIER_ORDER[a.tier] ?? 2) - (TIER_ORDER[b.tier] ?? 2);
  if (t !== 0) return t;
  return compareCodePoints(a.rule, b.rule) || compareCodePoints(a.offending_path, b.offending_path);
}
