/**
 * Starts a worker thread that blocks waiting for the lock of argv[2] (held by
 * another process), terminates the worker while its lock-wait thread is
 * blocked in flock, prints "terminated", and stays alive until stdin closes,
 * so the holder's release happens while this process still runs.
 */
import { Worker } from "node:worker_threads";
import { waitForThread } from "../helpers/proc.js";
import { workerScript } from "../helpers/children.js";

const path = process.argv[2] as string;
const worker = new Worker(workerScript("wait-in-worker"), { workerData: { path } });
await waitForThread("exlab-flock");
await worker.terminate();
process.stdout.write("terminated\n");
process.stdin.resume();
await new Promise((resolve) => process.stdin.once("end", resolve));
// Give the (cancelled) waiter's would-be wake-up a chance to run into freed code.
await new Promise((resolve) => setTimeout(resolve, 100));
process.stdout.write("alive\n");
