/**
 * Reading the equipment entries of an ExLab Wizard `config.yaml` (§9) as the
 * application's PyYAML `safe_load` reads them: YAML 1.1, `<<` merge keys
 * applied, a repeated key taking the last value (the bytes, the scalar types
 * and the refusals are in `_config-text.ts` and `_yaml.ts`). Only
 * `paths` and the keys sync reads of each `equipment[]` entry are turned
 * into plain values; the whole document is constructed as PyYAML constructs
 * it (aliases shared, not copied; the keys `<<` merges copy counted against a
 * bound). Each entry is checked on its own so that
 * one bad entry does not stop the others, and every problem carries the line
 * and column the YAML parser gives for it.
 *
 * @module
 */
import type { Node } from "yaml";
import { EQUIPMENT, type EquipmentInput } from "../schema/equipment.js";
import type { FieldSpec } from "../schema/record.js";
import { describe } from "../schema/rules.js";
import { readConfigBytes } from "./_file.js";
import { boundedParse, type BoundedParseOptions } from "./load.js";
import { decodeConfigText } from "./_text.js";
import { parseConfigDocument } from "./_yaml.js";
import { newBudget, toPlain } from "./_plain.js";
import { dictGet, isDict, isList, type PyList, type PyValue } from "./_values.js";
import { ConfigError, type ConfigPosition } from "../errors.js";

/** One `equipment[]` entry as found in the file. */
export interface ConfigEntry {
  /** Index in `equipment[]`, from 0. */
  index: number;
  /** Where the entry starts. */
  position: ConfigPosition | undefined;
  /** The entry's `id` when it is a string (valid or not). */
  id: string | undefined;
  /** The `equipment.json` fields, when the entry is valid. */
  input: EquipmentInput | undefined;
  /** Every problem of the entry; empty when it is valid. */
  errors: ConfigError[];
}

export { MAX_ALIAS_EXPANSION } from "./_plain.js";

/** The equipment section of a config file. */
export interface EquipmentConfig {
  /** The file, as given. */
  file: string;
  /** Every entry, in file order. */
  entries: ConfigEntry[];
}

/**
 * Read and check the equipment entries of `file`.
 *
 * An entry is valid when its `id` follows the equipment id grammar, its
 * `label` and `nas_root` are non-empty strings, it has a non-empty
 * `local_root` (its own, else `paths.local_root`), and no other entry has
 * the same id (every entry sharing an id is invalid: nothing says which one
 * is meant).
 *
 * @throws {@link InputError} when the file cannot be read.
 * @throws {@link ConfigError} `yaml_syntax_error` when the file is not YAML
 *   as PyYAML reads it, `yaml_encoding_error` when its bytes or characters
 *   are not, `yaml_unsupported_tag` on a tag `safe_load` does not construct,
 *   `config_invalid` when it has no `equipment` list.
 * @example
 * ```ts
 * const { entries } = await readEquipmentConfig("/etc/exlab-wizard/config.yaml");
 * for (const e of entries) if (e.input) console.log(e.input.id);
 * ```
 */
export async function readEquipmentConfig(file: string, options: BoundedParseOptions = {}): Promise<EquipmentConfig> {
  return parseEquipmentConfig(file, await readConfigBytes(file), options);
}

/**
 * Check the equipment entries of a config whose bytes are already read, as
 * {@link readEquipmentConfig} does; `file` only names it in errors.
 *
 * The parse is bounded (see `load.ts`): too deep, too large, too slow or
 * too big a config is refused (`yaml_too_deep`, `yaml_too_large`,
 * `yaml_parse_timeout`, `yaml_too_complex`), and `options.signal` stops it.
 *
 * @throws {@link ConfigError} as {@link readEquipmentConfig} does;
 *   `StoppedError` when `options.signal` aborts first.
 * @example
 * ```ts
 * const { entries } = await parseEquipmentConfig("/etc/exlab-wizard/config.yaml", bytes);
 * ```
 */
export async function parseEquipmentConfig(file: string, bytes: Buffer, options: BoundedParseOptions = {}): Promise<EquipmentConfig> {
  return (await boundedParse({ module: import.meta.url, fn: "unboundedEquipmentConfig" }, file, bytes, options)) as EquipmentConfig;
}

/** {@link parseEquipmentConfig} without its bounds: only {@link boundedParse} calls it. */
export async function unboundedEquipmentConfig(file: string, bytes: Buffer): Promise<EquipmentConfig> {
  const text = decodeConfigText(bytes, file);
  const { value: top, lines } = await parseConfigDocument(text, file);
  const at = (node: Node | null | undefined): ConfigPosition | undefined => {
    const offset = node?.range?.[0];
    if (offset === undefined) return undefined;
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
  const budget = newBudget(file);
  if (!isDict(top)) {
    throw new ConfigError("config_invalid", file, `Expected the top level to be a mapping, got ${describe(toPlain(top, budget))}`);
  }
  // Only the two sections read are walked: whatever the others hold (a
  // thousand aliases, a bomb) costs nothing beyond parsing.
  const section = dictGet(top, "equipment");
  const list = section?.value;
  const paths = toPlain(dictGet(top, "paths")?.value, budget);
  if (list === undefined || list === null) {
    throw new ConfigError("config_invalid", file, "Expected an `equipment` list, found none", { field: "equipment" });
  }
  // A `!!omap` or `!!pairs` is a Python list (of pairs): the application
  // walks it and finds no entry it can use.
  const items = isList(list) ? list.items.map((v, i) => ({ value: v, node: list.nodes[i] ?? null })) : typeof list === "object" && list.kind === "pairs" ? list.items.map(([k, v]) => ({ value: tuple(k, v), node: section?.node ?? null })) : undefined;
  if (items === undefined) {
    throw new ConfigError("config_invalid", file, `Expected \`equipment\` to be a list, got ${describe(toPlain(list, budget))}`, { field: "equipment", position: at(section?.node) });
  }
  const fallbackRoot = isPlainObject(paths) ? paths["local_root"] : undefined;
  const entries = items.map(({ value, node }, index) => {
    const dict = isDict(value) ? value : undefined;
    const nodeOf = (key: string): Node | undefined => (dict === undefined ? undefined : (dictGet(dict, key)?.node ?? undefined));
    // Of a mapping, only the keys sync reads are converted: whatever else an
    // entry carries (a shared list of channels, a note) is the application's.
    const plain = dict === undefined ? toPlain(value, budget) : Object.fromEntries(ENTRY_KEYS.flatMap((k) => { const e = dictGet(dict, k); return e === undefined ? [] : [[k, toPlain(e.value, budget)]]; }));
    return checkEntry({ file, position: at(node), nodeOf, isMapping: dict !== undefined, value: plain, index, fallbackRoot, at });
  });
  markDuplicates(file, entries);
  return { file, entries };
}

type At = (node: Node | null | undefined) => ConfigPosition | undefined;

/** One `equipment[]` entry to check, and where it is. */
interface EntryToCheck {
  readonly file: string;
  readonly position: ConfigPosition | undefined;
  /** The node of the value of `key` in the entry. */
  readonly nodeOf: (key: string) => Node | undefined;
  /** Whether the entry is a mapping (a Python dict). */
  readonly isMapping: boolean;
  readonly value: unknown;
  readonly index: number;
  /** `paths.local_root`, used when the entry has no `local_root`. */
  readonly fallbackRoot: unknown;
  readonly at: At;
}

/** The keys of an `equipment[]` entry that sync reads: `id`, and each one equipment.json mirrors. */
const ENTRY_KEYS: readonly string[] = ["id", ...(EQUIPMENT.fields as readonly FieldSpec[]).flatMap((f) => (f.mirrors === undefined || f.mirrors === "id" ? [] : [f.mirrors]))];

function checkEntry({ file, position, nodeOf, isMapping, value, index, fallbackRoot, at }: EntryToCheck): ConfigEntry {
  const entry: ConfigEntry = { index, position, id: undefined, input: undefined, errors: [] };
  const prefix = `equipment.${index}`;
  if (!isPlainObject(value) || !isMapping) {
    entry.errors.push(new ConfigError("validation_failed", file, `Expected an equipment entry (a mapping), got ${describe(value)}`, { field: prefix, position: entry.position }));
    return entry;
  }
  const problem = (key: string, expected: string): void => {
    const valueNode = nodeOf(key);
    entry.errors.push(
      new ConfigError("validation_failed", file, `Expected \`${key}\` to be ${expected}, got ${describe(value[key])}`, {
        field: `${prefix}.${key}`,
        position: at(valueNode) ?? entry.position,
        details: { expected, received: describe(value[key]) },
      }),
    );
  };
  const id = value["id"];
  if (typeof id === "string") entry.id = id;
  // Each field equipment.json mirrors from the entry, checked by the rule
  // the writer applies, so that an entry passing here is one it accepts.
  const input: Record<string, unknown> = {};
  for (const f of EQUIPMENT.fields as readonly FieldSpec[]) {
    if (f.mirrors === undefined) continue;
    let found = value[f.mirrors];
    const fallback = f.mirrors === "local_root" && (found === undefined || found === null);
    if (fallback) found = fallbackRoot;
    const why = f.rule.check(found);
    if (why === undefined) input[f.key] = found;
    else problem(f.mirrors, `a ${why}${fallback ? " (or `paths.local_root` set)" : ""}`);
  }
  if (entry.errors.length === 0) entry.input = input as EquipmentInput;
  return entry;
}

function markDuplicates(file: string, entries: ConfigEntry[]): void {
  const byId = new Map<string, ConfigEntry[]>();
  for (const e of entries) {
    if (e.id === undefined) continue;
    const same = byId.get(e.id);
    if (same === undefined) byId.set(e.id, [e]);
    else same.push(e);
  }
  for (const [id, same] of byId) {
    if (same.length < 2) continue;
    for (const e of same) {
      const others = same
        .filter((o) => o !== e)
        .map((o) => `equipment.${o.index}${o.position === undefined ? "" : ` (line ${o.position.line})`}`)
        .join(", ");
      e.errors.push(
        new ConfigError("duplicate_id", file, `\`${id}\` is also the id of ${others}; ids must be unique, so none of them is synced`, {
          field: `equipment.${e.index}.id`,
          position: e.position,
          details: { id },
        }),
      );
      e.input = undefined;
    }
  }
}

/** A Python 2-tuple, which the checks see as a list of two. */
function tuple(a: PyValue, b: PyValue): PyList {
  return { kind: "list", items: [a, b], nodes: [null, null] };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
