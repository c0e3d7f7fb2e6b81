/**
 * Every config parse goes through {@link boundedParse}: the text is scanned
 * for its depth and size first, a small config is then parsed here, and a
 * larger one in a worker thread whose heap is bounded, which is stopped
 * after {@link PARSE_TIME_MS} or as soon as the caller's signal aborts.
 *
 * @module
 */
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
 * The time a parse may take, from the moment the bytes are read, before it
 * is refused (`yaml_parse_timeout`); the rest of the 2 s target is left to
 * stopping the worker and reporting.
 */
export const PARSE_TIME_MS = 1750;

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
 *   out of its heap), `yaml_parse_timeout`, and whatever the parse throws;
 *   {@link StoppedError} (or the signal's own reason) when `signal` aborts
 *   a parse in a worker.
 * @example
 * ```ts
 * const config = await boundedParse({ module: import.meta.url, fn: "parseEquipmentText" }, file, bytes, { signal });
 * ```
 */
export async function boundedParse(task: ParseTask, file: string, bytes: Buffer, options: BoundedParseOptions = {}): Promise<unknown> {
  const { signal } = options;
  const started = performance.now();
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
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      fn();
      void worker.terminate();
    };
    const onAbort = (): void => end(() => reject(stopped(signal as AbortSignal, file)));
    const timer = setTimeout(() => {
      end(() => reject(new ConfigError("yaml_parse_timeout", file, `YAML took more than ${PARSE_TIME_MS} ms to parse; refusing it (a config parses in milliseconds)`, { details: { limit_ms: PARSE_TIME_MS } })));
    }, Math.max(0, PARSE_TIME_MS - (performance.now() - started)));
    signal?.addEventListener("abort", onAbort, { once: true });
    worker.on("message", (outcome: ParseOutcome) => {
      end(() => {
        try {
          resolve(settleOutcome(outcome));
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
