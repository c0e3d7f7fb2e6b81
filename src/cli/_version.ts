/**
 * The package's version, read from its package.json.
 */
import { readFile } from "node:fs/promises";

/**
 * The `version` of the package.json beside `dist/`, or `"unknown"`.
 *
 * @example
 * ```ts
 * io.stdout.write(`${await packageVersion()}\n`); // "0.1.0\n"
 * ```
 */
export async function packageVersion(): Promise<string> {
  const pkg: unknown = JSON.parse(await readFile(new URL("../../package.json", import.meta.url), "utf8"));
  const v = typeof pkg === "object" && pkg !== null && "version" in pkg ? pkg.version : undefined;
  return typeof v === "string" ? v : "unknown";
}
