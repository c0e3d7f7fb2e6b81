/**
 * A whole config document's values in a JSON form that keeps their Python
 * types, so that what this loader builds can be compared, value for value,
 * with what PyYAML's `safe_load` builds (the Python side writes the same
 * form: `test/python/pyyaml_values.py`).
 *
 * - `null`, `true`/`false`, a string: themselves; a list: an array.
 * - `{"int": "<decimal>"}`, any size.
 * - `{"float": "<16 hex digits of the IEEE 754 double>"}`, or `"nan"`.
 * - `{"bytes": "<hex>"}`.
 * - `{"date": "YYYY-MM-DD"}`.
 * - `{"datetime": "<microseconds since the epoch>", "offset": <minutes> | null}`
 *   (a naive datetime counted as if it were UTC, `offset` null).
 * - `{"set": [...]}`, sorted by each member's JSON text.
 * - `{"dict": [[key, value], ...]}` in insertion order.
 * - `{"tuple": [a, b]}`, the pairs `!!omap` and `!!pairs` build.
 * - `{"cycle": n}`: a container that is its own ancestor, `n` levels up.
 *
 * @module
 */
import { ConfigError } from "../errors.js";
import { decodeConfigText } from "./_text.js";
import { parseConfigDocument } from "./_yaml.js";
import { instantMicros, type PyValue } from "./_values.js";

export type Tagged = null | boolean | string | Tagged[] | { readonly [tag: string]: Tagged | number };

/** The 16 hex digits of a double, NaN as `nan` (its bits differ between runtimes). */
export function floatBits(x: number): string {
  if (Number.isNaN(x)) return "nan";
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  return view.getBigUint64(0).toString(16).padStart(16, "0");
}

const pad = (n: number, width: number): string => String(n).padStart(width, "0");

/**
 * `v` in the tagged form.
 *
 * @throws {@link ConfigError} `yaml_alias_limit` past `maxNodes` nodes (aliases counted each time).
 */
export function tagValue(v: PyValue, file: string, maxNodes = 100_000): Tagged {
  let left = maxNodes;
  const stack: object[] = [];
  const walk = (x: PyValue): Tagged => {
    if (--left < 0) throw new ConfigError("yaml_alias_limit", file, `YAML aliases here would expand to more than ${maxNodes} nodes; refusing to load it`);
    if (x === null || typeof x !== "object") return x;
    const up = stack.lastIndexOf(x);
    if (up >= 0) return { cycle: stack.length - up };
    switch (x.kind) {
      case "int":
        return { int: x.value.toString() };
      case "float":
        return { float: floatBits(x.value) };
      case "bytes":
        return { bytes: Buffer.from(x.value).toString("hex") };
      case "date":
        return { date: `${pad(x.year, 4)}-${pad(x.month, 2)}-${pad(x.day, 2)}` };
      case "datetime":
        return { datetime: instantMicros(x).toString(), offset: x.offset };
      default:
    }
    stack.push(x);
    let out: Tagged;
    if (x.kind === "list") out = x.items.map(walk);
    else if (x.kind === "pairs") out = x.items.map(([k, y]) => ({ tuple: [walk(k), walk(y)] }));
    else if (x.kind === "set") {
      const members = x.items.map(walk);
      out = { set: members.map((m) => [JSON.stringify(m), m] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, m]) => m) };
    } else out = { dict: x.keys.map((k, i) => [walk(k), walk(x.values[i] ?? null)]) };
    stack.pop();
    return out;
  };
  return walk(v);
}

/**
 * Everything `safe_load` would return for a config file's bytes, in the
 * tagged form; the same refusals as the loader (`ConfigError`).
 *
 * @throws {@link ConfigError} where the loader refuses the file.
 * @example
 * ```ts
 * await loadConfigValues(Buffer.from("a: 1\n"), "config.yaml"); // { dict: [["a", { int: "1" }]] }
 * ```
 */
export async function loadConfigValues(bytes: Buffer, file: string, maxNodes?: number): Promise<Tagged> {
  const { value } = await parseConfigDocument(decodeConfigText(bytes, file), file);
  return tagValue(value, file, maxNodes);
}
