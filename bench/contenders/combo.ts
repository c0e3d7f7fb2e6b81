/**
 * Contender "the usual Node combination": `proper-lockfile` for the lock and
 * `write-file-atomic` (fsync on, its default) for the replace.
 *
 * proper-lockfile takes its lock by `mkdir(path + ".lock")` and, when that
 * fails, retries after a back-off; it never blocks in the kernel. The retry
 * settings are a common choice for short critical sections: first retry
 * after 5 ms, doubling up to 100 ms, with jitter, for ~10 s in all.
 * `realpath: false` lets it lock a file that does not exist yet.
 */
import { access, readFile } from "node:fs/promises";
import { lock, type LockOptions } from "proper-lockfile";
import writeFileAtomic from "write-file-atomic";
import type { NodeContender } from "./_node.js";
import { EQUIPMENT, MARKER } from "./_record.js";

/** The proper-lockfile options of this contender. */
export const COMBO_LOCK_OPTIONS: LockOptions = {
  realpath: false,
  stale: 10_000,
  retries: { retries: 110, factor: 2, minTimeout: 5, maxTimeout: 100, randomize: true },
};

function utcNow(): string {
  return new Date().toISOString().slice(0, 19) + "Z";
}

function isMissing(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === "ENOENT";
}

async function withLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const release = await lock(path, COMBO_LOCK_OPTIONS);
  try {
    return await fn();
  } finally {
    await release();
  }
}

/** The proper-lockfile + write-file-atomic contender. */
export function combo(): NodeContender {
  return {
    rewrite(path) {
      return withLock(path, async () => {
        const now = utcNow();
        let firstSeenAt = now;
        try {
          const old: unknown = JSON.parse(await readFile(path, "utf8"));
          const kept = typeof old === "object" && old !== null ? (old as Record<string, unknown>)["first_seen_at"] : undefined;
          if (typeof kept === "string") firstSeenAt = kept;
        } catch (err) {
          if (!isMissing(err)) throw err;
        }
        const record = { schema_version: "1.0", ...EQUIPMENT, first_seen_at: firstSeenAt, last_modified_at: now };
        await writeFileAtomic(path, JSON.stringify(record));
      });
    },
    createMarker(path, createdAt) {
      return withLock(path, async () => {
        try {
          await access(path);
          return false;
        } catch (err) {
          if (!isMissing(err)) throw err;
        }
        const record = { schema_version: "1.0", run_kind: "test", created_at: createdAt, ...MARKER };
        await writeFileAtomic(path, JSON.stringify(record));
        return true;
      });
    },
  };
}
