/** Tries the lock of argv[2] with a timeout of argv[3] ms; prints the error code or "acquired". */
import { withFileLock } from "exlab-cache";

try {
  await withFileLock(process.argv[2] as string, () => undefined, { timeoutMs: Number(process.argv[3]) });
  process.stdout.write("acquired\n");
} catch (err) {
  process.stdout.write(`${(err as { code?: string }).code ?? String(err)}\n`);
}
