/**
 * Collecting the writer's repair notices (a corrupt file kept aside, stale
 * temp files removed) so that a command can show them: on stderr for
 * people, inside the `--json` document for scripts.
 *
 * @module
 */
import type { CacheWarning } from "../errors.js";
import { styleFor, type CliIo } from "./io.js";
import { escapeText } from "./_escape.js";

/** A repair notice as it appears in `--json` output. */
export interface WarningJson {
  code: CacheWarning["code"];
  path: string;
  message: string;
  preserved_at?: string;
}

/**
 * A sink for the writer's `onWarning`: prints each notice at once on stderr
 * unless `json`, and keeps them all for the JSON document.
 *
 * @example
 * ```ts
 * const warnings = warningSink(io, json);
 * const writer = new EquipmentCacheWriter({ onWarning: warnings.add });
 * ```
 */
export function warningSink(io: CliIo, json: boolean): { add: (w: CacheWarning) => void; list: WarningJson[] } {
  const list: WarningJson[] = [];
  const s = styleFor(io, "stderr");
  return {
    list,
    add(w) {
      const item: WarningJson = { code: w.code, path: w.path, message: w.message };
      if (w.preservedAt !== undefined) item.preserved_at = w.preservedAt;
      list.push(item);
      if (!json) io.stderr.write(`${s.yellow("warning:")} ${escapeText(w.message)} ${s.dim(`[${w.code}]`)}\n`);
    },
  };
}
