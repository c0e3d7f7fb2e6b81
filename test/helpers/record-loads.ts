/**
 * `node --import <this file> program.js`: records every module `program.js`
 * imports (see load-hooks.ts).
 */
import { register } from "node:module";

register(new URL("./load-hooks.js", import.meta.url));
