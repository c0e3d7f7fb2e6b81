/**
 * The worker a large config is parsed in: it runs one parse and posts the
 * outcome as plain data. The thread that started it may terminate it at
 * any moment (a signal, the time budget); its heap is bounded by the
 * `resourceLimits` it was started with. It first says which thread of the
 * process it is, where the system numbers threads (Linux), so that the CPU
 * time it alone uses can be measured.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { outcomeOf, type ParseTask } from "./_parse-run.js";

/** This thread's id in the system, the first field of its `stat`; undefined where there is none. */
function systemThreadId(): number | undefined {
  try {
    const tid = Number.parseInt(readFileSync("/proc/thread-self/stat", "latin1"), 10);
    return Number.isSafeInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}

const tid = systemThreadId();
if (tid !== undefined) parentPort?.postMessage({ tid });
const data = workerData as { task: ParseTask; file: string; bytes: Uint8Array };
const outcome = await outcomeOf(data.task, data.file, Buffer.from(data.bytes.buffer, data.bytes.byteOffset, data.bytes.byteLength));
parentPort?.postMessage(outcome);
