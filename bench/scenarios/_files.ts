/** After-the-fact checks of the files a scenario wrote. */
import { readFile, readdir } from "node:fs/promises";
import { basename, dirname } from "node:path";

/**
 * Whether `path` holds one whole JSON object and no temp file of it was left
 * beside it; undefined when all is well, else what is wrong.
 */
export async function fileProblem(path: string): Promise<string | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, "utf8"));
  } catch (err) {
    return `${path}: ${(err as Error).message}`;
  }
  if (typeof parsed !== "object" || parsed === null) return `${path}: not a JSON object`;
  const name = basename(path);
  const leftovers = (await readdir(dirname(path))).filter((e) => e.startsWith(`${name}.`) && e !== `${name}.lock`);
  return leftovers.length === 0 ? undefined : `${path}: left behind ${leftovers.join(", ")}`;
}
