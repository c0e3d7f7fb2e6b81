#!/usr/bin/env node
/**
 * The `exlab-cache` executable. It turns on Node's compile cache where there
 * is one (Node ≥ 22.1), so later starts skip compiling the tool's modules,
 * then loads the rest of the tool: imported statically, that would be
 * compiled before the cache is on.
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

await import("./_process.js");
