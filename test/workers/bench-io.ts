/**
 * `bench-io.js <write|read|rewrite|mark> <path> <native|nodefs>`: one
 * atomicWriteFile, readCacheFile, locked equipment rewrite or marker write,
 * through the native backend (the default) or through node:fs call by call
 * (an injected FileSystem), so a tracer can compare the syscalls of both.
 */
import { EquipmentCacheWriter, atomicWriteFile, readCacheFile } from "exlab-cache";
import { callByCallFs } from "../helpers/nodefs.js";
import { FakeClock, equipmentPayload } from "../helpers/tmp.js";

const [op, path, how] = process.argv.slice(2);
const options = how === "nodefs" ? { fs: callByCallFs } : {};
if (path === undefined || (how !== "native" && how !== "nodefs")) throw new Error("usage: bench-io.js <write|read|rewrite|mark> <path> <native|nodefs>");
const writer = new EquipmentCacheWriter({ ...options, clock: new FakeClock().now });
if (op === "write") await atomicWriteFile(path, '{"a":1}', options);
else if (op === "read") process.stdout.write(await readCacheFile(path, options));
else if (op === "rewrite") await writer.writeEquipment(path, equipmentPayload());
else if (op === "mark") process.stdout.write(String(await writer.writeTestRunsMarker(path, { project: "PROJ-0042", equipment: "CONFOCAL_01" })));
else throw new Error(`unknown op ${String(op)}`);
