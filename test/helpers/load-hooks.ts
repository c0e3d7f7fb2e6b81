/**
 * Module hooks that write the URL of every module a process loads through
 * `import` to the file named by `EXLAB_LOADED_MODULES`, one per line.
 * Registered by `record-loads.ts` with `node --import`.
 */
import { appendFileSync } from "node:fs";

type Next = (specifier: string, context: unknown) => Promise<{ url: string }>;

/** Record each resolved URL, then resolve as usual. */
export async function resolve(specifier: string, context: unknown, next: Next): Promise<{ url: string }> {
  const result = await next(specifier, context);
  const file = process.env["EXLAB_LOADED_MODULES"];
  if (file !== undefined) appendFileSync(file, `${result.url}\n`);
  return result;
}
