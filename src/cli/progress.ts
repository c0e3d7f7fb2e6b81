/**
 * A one-line progress display on stderr for tree walks. It appears only on a
 * terminal and only once a walk has taken more than a moment, redraws at
 * most ten times a second, and erases itself when the walk ends, so quick
 * runs and piped output never see it.
 *
 * @module
 */
import type { ScanProgress } from "../tree/scan.js";
import type { CliIo } from "./io.js";

/** How long a walk runs before progress is shown, in milliseconds. */
export const PROGRESS_DELAY_MS = 300;
const REDRAW_MS = 100;

/** Progress for one walk. */
export interface ProgressLine {
  /** Report the walk's counts so far. */
  update(progress: ScanProgress): void;
  /** Erase the line, if one was drawn. */
  done(): void;
}

/**
 * Start a progress line for a walk described by `verb` ("checking").
 *
 * @example
 * ```ts
 * const line = progressLine(io, "checking");
 * await scanTree(root, { onProgress: line.update });
 * line.done();
 * ```
 */
export function progressLine(io: CliIo, verb: string): ProgressLine {
  const now = io.now ?? (() => performance.now());
  const start = now();
  let lastDraw: number | undefined;
  if (!io.isTTY.stderr) return { update: () => undefined, done: () => undefined };
  return {
    update(p) {
      const t = now();
      if (t - start < PROGRESS_DELAY_MS || (lastDraw !== undefined && t - lastDraw < REDRAW_MS)) return;
      lastDraw = t;
      io.stderr.write(`\r\x1b[K${verb}: ${p.directories} folders, ${p.files} cache files read`);
    },
    done() {
      if (lastDraw !== undefined) io.stderr.write("\r\x1b[K");
    },
  };
}
