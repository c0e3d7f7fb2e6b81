#!/usr/bin/env node
/**
 * The `exlab-cache` executable. It turns on Node's compile cache where there
 * is one (Node ≥ 22.1), so later starts skip compiling the tool's modules,
 * then loads the rest of the tool: imported statically, that would be
 * compiled before the cache is on. `--version` alone is answered here,
 * loading nothing else.
 *
 * @module
 */
import * as nodeModule from "node:module";

const compileCache = (nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache;
try {
  compileCache?.();
} catch {
  // A cache folder that cannot be made only costs speed.
}

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === "--version" || args[0] === "-v")) {
  // The one answer a script may ask for on every run: nothing else is loaded.
  const { packageVersion } = await import("./_version.js");
  process.stdout.write(`${await packageVersion()}\n`);
} else {
  await import("./_process.js");
}
