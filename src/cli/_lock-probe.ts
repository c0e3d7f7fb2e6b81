/**
 * The second process of `exlab-cache doctor`'s lock self-test: try once to
 * take the lock of the file named by the first argument, and say on stdout,
 * as one JSON line, whether it was `acquired` or `excluded` (or the error).
 */
import { LockTimeoutError, errnoCode } from "../errors.js";
import { withFileLock } from "../fs/lock.js";

const path = process.argv[2] ?? "";
try {
  await withFileLock(path, () => undefined, { timeoutMs: 0 });
  process.stdout.write(`${JSON.stringify({ result: "acquired" })}\n`);
} catch (err) {
  if (err instanceof LockTimeoutError) process.stdout.write(`${JSON.stringify({ result: "excluded" })}\n`);
  else process.stdout.write(`${JSON.stringify({ result: "error", code: errnoCode(err) ?? "unknown", message: err instanceof Error ? err.message : String(err) })}\n`);
}
