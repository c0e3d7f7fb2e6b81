/**
 * Where the bench finds its own files. The compiled scripts run from
 * `dist-test/bench/`, two levels below the package root.
 */
import { fileURLToPath } from "node:url";

/** The package root (the directory holding package.json). */
export const PACKAGE_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** A file of the bench's sources (`bench/<name>`), such as floor.c. */
export function benchSource(name: string): string {
  return fileURLToPath(new URL(`../../bench/${name}`, import.meta.url));
}

/** A compiled bench worker script (`dist-test/bench/workers/<name>.js`). */
export function workerScript(name: string): string {
  return fileURLToPath(new URL(`./workers/${name}.js`, import.meta.url));
}
