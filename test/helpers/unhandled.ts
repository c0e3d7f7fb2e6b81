/**
 * Collects unhandled promise rejections so a test file can fail on them
 * explicitly, rather than relying on the runner to notice.
 */

/** Start collecting; returns the live list of rejection reasons. */
export function watchUnhandledRejections(): unknown[] {
  const seen: unknown[] = [];
  process.on("unhandledRejection", (reason) => {
    seen.push(reason);
  });
  return seen;
}

/** Let pending rejections surface: they are reported after a macrotask turn. */
export async function settle(): Promise<void> {
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
}
