/**
 * The worker a large config is parsed in: it runs one parse and posts the
 * outcome as plain data. The thread that started it may terminate it at
 * any moment (a signal, the time budget); its heap is bounded by the
 * `resourceLimits` it was started with.
 *
 * @module
 */
import { parentPort, workerData } from "node:worker_threads";
import { outcomeOf, type ParseTask } from "./_parse-run.js";

const data = workerData as { task: ParseTask; file: string; bytes: Uint8Array };
const outcome = await outcomeOf(data.task, data.file, Buffer.from(data.bytes.buffer, data.bytes.byteOffset, data.bytes.byteLength));
parentPort?.postMessage(outcome);
