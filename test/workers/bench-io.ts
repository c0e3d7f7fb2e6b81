/**
 * `bench-io.js <write|read> <path> <native|nodefs>`: one atomicWriteFile or
 * readCacheFile, through the one-job native path (Node's own fs, the
 * default) or through node:fs call by call (an injected FileSystem), so a
 * tracer can compare the syscalls of both.
 */
import { atomicWriteFile, readCacheFile } from "exlab-cache";
import { callByCallFs } from "../helpers/nodefs.js";

const [op, path, how] = process.argv.slice(2);
const options = how === "nodefs" ? { fs: callByCallFs } : {};
if (path === undefined || (how !== "native" && how !== "nodefs")) throw new Error("usage: bench-io.js <write|read> <path> <native|nodefs>");
if (op === "write") await atomicWriteFile(path, '{"a":1}', options);
else if (op === "read") process.stdout.write(await readCacheFile(path, options));
else throw new Error(`unknown op ${String(op)}`);
