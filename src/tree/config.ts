/**
 * What the audit reads from `config.yaml`: the lab root, the configured
 * equipment ids, the staging root, and the two content-scanning settings.
 *
 * @module
 */
import { readConfigBytes } from "../config/_file.js";
import { decodeConfigText } from "../config/_text.js";
import { parseConfigDocument } from "../config/_yaml.js";
import { boundedParse, type BoundedParseOptions } from "../config/load.js";
import { newBudget, toPlain } from "../config/_plain.js";
import { dictGet, isDict } from "../config/_values.js";
import { ConfigError } from "../errors.js";
import { isEquipmentId } from "../schema/rules.js";

/** The application's default `validator.content_scan_extensions`. */
export const DEFAULT_SCAN_EXTENSIONS: readonly string[] = [".txt", ".md", ".csv", ".tsv", ".json", ".yaml", ".yml", ".toml", ".ini", ".cfg", ".conf", ".xml", ".sh", ".py"];

/** The settings an audit runs with. */
export interface AuditConfig {
  /** `paths.local_root`; empty means no equipment is audited (as in the application). */
  readonly localRoot: string;
  /** `equipment[].id`, in file order; each is audited at `<localRoot>/<id>`. */
  readonly equipmentIds: readonly string[];
  /** `orchestrator.staging_root`, when set. */
  readonly stagingRoot?: string | undefined;
  /** `validator.content_scan_max_mib` (at least 1). @default 5 */
  readonly contentScanMaxMib?: number | undefined;
  /** `validator.content_scan_extensions`, each starting with a dot. @default {@link DEFAULT_SCAN_EXTENSIONS} */
  readonly contentScanExtensions?: readonly string[] | undefined;
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Read the audit's settings from a `config.yaml`, as PyYAML's `safe_load`
 * reads it. Other sections are parsed (a syntax error anywhere fails, as in
 * the application) but not used. The parse is bounded as every config
 * parse is (`yaml_too_deep`, `yaml_too_large`, `yaml_alias_limit`,
 * `yaml_parse_timeout`, `yaml_too_complex`); `options.signal` stops the
 * parse of a large config.
 *
 * @throws `InputError` when the file cannot be read; {@link ConfigError}
 *   (`yaml_syntax_error`, `config_invalid`...) when it is not a config the
 *   application would load; the signal's reason (a `StoppedError` naming
 *   the file, for a signal's) when it aborts the parse.
 * @example
 * ```ts
 * const config = await readAuditConfig("/etc/exlab-wizard/config.yaml");
 * ```
 */
export async function readAuditConfig(file: string, options: BoundedParseOptions = {}): Promise<AuditConfig> {
  return (await boundedParse({ module: import.meta.url, fn: "unboundedAuditConfig" }, file, await readConfigBytes(file), options)) as AuditConfig;
}

/** {@link readAuditConfig} of bytes already read, without its bounds: only `boundedParse` calls it. */
export async function unboundedAuditConfig(file: string, bytes: Buffer): Promise<AuditConfig> {
  const text = decodeConfigText(bytes, file);
  const { value } = await parseConfigDocument(text, file);
  if (!isDict(value)) throw new ConfigError("config_invalid", file, "Expected the top level to be a mapping");
  // Only the sections read are walked, within one budget of nodes.
  const budget = newBudget(file);
  const top = Object.fromEntries(["paths", "equipment", "orchestrator", "validator"].map((k) => [k, toPlain(dictGet(value, k)?.value, budget)])) as Record<string, unknown>;
  const bad = (field: string, what: string): never => {
    throw new ConfigError("config_invalid", file, `Expected \`${field}\` to be ${what}`, { field });
  };
  const paths = top["paths"] ?? {};
  if (!isMapping(paths)) bad("paths", "a mapping");
  const localRoot = (paths as Record<string, unknown>)["local_root"] ?? "";
  if (typeof localRoot !== "string") bad("paths.local_root", "text");
  const list = top["equipment"] ?? [];
  if (!Array.isArray(list)) bad("equipment", "a list");
  const equipmentIds = (list as unknown[]).map((e, i) => {
    const id = isMapping(e) ? e["id"] : undefined;
    if (!isEquipmentId(id)) bad(`equipment.${i}.id`, "an equipment id (^[A-Z][A-Z0-9_]*$, max 32)");
    return id as string;
  });
  const orchestrator = top["orchestrator"] ?? {};
  if (!isMapping(orchestrator)) bad("orchestrator", "a mapping");
  const staging = (orchestrator as Record<string, unknown>)["staging_root"] ?? undefined;
  if (staging !== undefined && typeof staging !== "string") bad("orchestrator.staging_root", "text");
  const validator = top["validator"] ?? {};
  if (!isMapping(validator)) bad("validator", "a mapping");
  const v = validator as Record<string, unknown>;
  for (const key of Object.keys(v)) {
    if (key !== "content_scan_max_mib" && key !== "content_scan_extensions") bad(`validator.${key}`, "absent (the application accepts no other validator key)");
  }
  const mib = v["content_scan_max_mib"] ?? 5;
  if (typeof mib !== "number" || !Number.isInteger(mib) || mib < 1) bad("validator.content_scan_max_mib", "an integer of at least 1");
  const exts = v["content_scan_extensions"] ?? DEFAULT_SCAN_EXTENSIONS;
  if (!Array.isArray(exts) || !exts.every((x) => typeof x === "string" && x.trim().startsWith("."))) {
    bad("validator.content_scan_extensions", "a list of extensions starting with a dot");
  }
  return {
    localRoot: localRoot as string,
    equipmentIds,
    stagingRoot: staging === "" ? undefined : (staging as string | undefined),
    contentScanMaxMib: mib as number,
    contentScanExtensions: (exts as string[]).map((x) => x.trim()),
  };
}
