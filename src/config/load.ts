/**
 * Every config parse goes through {@link boundedParse}: the text is scanned
 * for its depth and size first, a small config is then parsed here, and a
 * larger one in a worker thread whose heap is bounded, which is stopped
 * once it has used {@link PARSE_CPU_MS} of CPU time, after
 * {@link PARSE_BACKSTOP_MS} whatever it used, or as soon as the caller's
 * signal aborts.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { ConfigError, StoppedError } from "../errors.js";
import { scanConfigText } from "./_bounds.js";
import { runParse, settleOutcome, type ParseOutcome, type ParseTask } from "./_parse-run.js";
import { decodeConfigText } from "./_text.js";
// The worker's module is loaded by URL, never imported: this keeps it in
// every build that compiles this one.
import type {} from "./_parse-worker.js";

/**
 * Configs of at most this many bytes are parsed in the calling thread.
 * Measured on the reference machine (2 cores, busy): a worker costs about
 * 125 ms even for a one-entry config (it loads the parser afresh), while
 * the worst 64 KiB config the scan lets through (32,000 values) parses
 * inline in about 0.25 s (0.75 s at most), within the 1 s a stop may take.
 * Real configs are a few kilobytes and never pay for the worker.
 */
export const INLINE_MAX_BYTES = 64 * 1024;

/**
 * The CPU time the worker may spend on a parse before it is refused
 * (`yaml_parse_timeout`). CPU time, not time on the clock, so that a busy
 * machine never refuses a legal config: the value budget bounds the work
 * of any config the scan lets through (the largest legal one takes about
 * 0.3 s of the worker's CPU, 0.7 s of the whole process's), and this
 * refuses only what costs more per value than any plain config does
 * (aliases resolved again and again): at load 5 on the reference machine
 * such a refusal came after 1.5 s on the clock, within the 2 s target. Measured for the worker's own thread where
 * the system reports it (Linux), else for the whole process, which counts
 * more, never less.
 */
export const PARSE_CPU_MS = 1000;

/**
 * The time on the clock after which a parse in the worker is refused
 * however little CPU it used: a guard against a hang only, far past what a
 * legal config takes on a machine however busy. The only refusal that may
 * not recur on the same bytes (`details.clock` is `"wall"`).
 */
export const PARSE_BACKSTOP_MS = 60_000;

/** How often the worker's CPU time is looked at. */
const CPU_POLL_MS = 25;

/** The CPU time, in ms, the thread `tid` of this process has used; undefined where the system does not say. */
function threadCpuMs(tid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, "latin1");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime, in clock ticks of 1/100 s (USER_HZ).
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * 10 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The worker's heap, in MiB: the old generation and the young one. With the
 * process's own share (about 60 MB) the whole stays under 256 MB.
 */
export const PARSE_HEAP_MB = { old: 128, young: 16 } as const;

/** How a bounded parse may be stopped. */
export interface BoundedParseOptions {
  /**
   * Aborting stops a parse in a worker at once: it rejects with a
   * {@link StoppedError} naming the config when the reason is one, else
   * with the reason itself. A small config parsed in the calling thread is
   * parsed anyway.
   */
  readonly signal?: AbortSignal | undefined;
}

/** A stop by a signal names the config; any other reason is given back as it is, as `AbortSignal` users expect. */
function stopped(signal: AbortSignal, file: string): unknown {
  const reason: unknown = signal.reason;
  return reason instanceof StoppedError ? new StoppedError(reason.signal, file) : reason;
}

/**
 * Parse the config `bytes` (of `file`) with `task`, within the bounds.
 *
 * @throws {@link ConfigError} `yaml_too_deep`, `yaml_too_large` (at the
 *   line and column the scan stopped), `yaml_too_complex` (the worker ran
 *   out of its heap), `yaml_parse_timeout` (past its CPU time, or the
 *   backstop), and whatever the parse throws;
 *   {@link StoppedError} (or the signal's own reason) when `signal` aborts
 *   a parse in a worker.
 * @example
 * ```ts
 * const config = await boundedParse({ module: import.meta.url, fn: "parseEquipmentText" }, file, bytes, { signal });
 * ```
 */
export async function boundedParse(task: ParseTask, file: string, bytes: Buffer, options: BoundedParseOptions = {}): Promise<unknown> {
  const { signal } = options;
  scanConfigText(decodeConfigText(bytes, file), file);
  // A small config is parsed at once, whatever the signal says: it takes
  // less time than stopping would, and the caller then reports each entry
  // it did not write, which says more than one "stopped" for the file.
  if (bytes.length <= INLINE_MAX_BYTES) return runParse(task, file, bytes);
  if (signal?.aborted === true) throw stopped(signal, file);
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./_parse-worker.js", import.meta.url), {
      workerData: { task, file, bytes: new Uint8Array(bytes) },
      resourceLimits: { maxOldGenerationSizeMb: PARSE_HEAP_MB.old, maxYoungGenerationSizeMb: PARSE_HEAP_MB.young },
      stdout: false,
      stderr: false,
    });
    let settled = false;
    const end = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(backstop);
      clearInterval(poll);
      signal?.removeEventListener("abort", onAbort);
      fn();
      void worker.terminate();
    };
    const timeout = (clock: "cpu" | "wall", limit: number): void =>
      end(() =>
        reject(
          new ConfigError("yaml_parse_timeout", file, `YAML took more than ${limit} ms${clock === "cpu" ? " of CPU time" : ""} to parse; refusing it (a config parses in milliseconds)`, {
            details: { limit_ms: limit, clock },
          }),
        ),
      );
    const onAbort = (): void => end(() => reject(stopped(signal as AbortSignal, file)));
    const backstop = setTimeout(() => timeout("wall", PARSE_BACKSTOP_MS), PARSE_BACKSTOP_MS);
    // The worker says which thread it is first; until then (and where the
    // system gives no thread's time) the whole process's time counts.
    let tid: number | undefined;
    const startCpu = process.cpuUsage();
    const poll = setInterval(() => {
      const own = tid === undefined ? undefined : threadCpuMs(tid);
      const used = own ?? (() => {
        const { user, system } = process.cpuUsage(startCpu);
        return (user + system) / 1000;
      })();
      if (used > PARSE_CPU_MS) timeout("cpu", PARSE_CPU_MS);
    }, CPU_POLL_MS);
    signal?.addEventListener("abort", onAbort, { once: true });
    worker.on("message", (message: ParseOutcome | { tid: number }) => {
      if ("tid" in message) {
        tid = message.tid;
        return;
      }
      end(() => {
        try {
          resolve(settleOutcome(message));
        } catch (err) {
          reject(err);
        }
      });
    });
    worker.on("error", (err: Error & { code?: string }) => {
      end(() => {
        if (err.code === "ERR_WORKER_OUT_OF_MEMORY") {
          reject(new ConfigError("yaml_too_complex", file, `YAML needs more than ${PARSE_HEAP_MB.old} MiB to parse; refusing it (a config needs a few)`, { details: { limit_mib: PARSE_HEAP_MB.old } }));
        } else reject(err);
      });
    });
    worker.on("exit", (code) => end(() => reject(new Error(`the config parser stopped (exit ${code}) without an outcome`))));
  });
}
