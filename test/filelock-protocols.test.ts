/**
 * The Python filelock peers the interop tests meet behave as their versions
 * are documented to, observed from outside: whether opening a busy sidecar
 * truncates it (3.9 and 3.29 open with O_TRUNC; 4.x truncates only once it
 * has won), whether a release leaves the sidecar (3.29 unlinks it), and
 * whether a sidecar that is a symlink is followed (upstream 3.9 lacks
 * O_NOFOLLOW; Debian 12 patched its 3.9.0 to have it). Each stand-in is held to the same table as the real version
 * of its protocol, which runs too where the machine has it.
 */
import assert from "node:assert/strict";
import { lstat, readFile, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { lockPathFor, withFileLock } from "exlab-cache";
import { needs } from "./helpers/capabilities.js";
import { finished, startChild } from "./helpers/children.js";
import { PYTHON, filelockPeers, pyScript, type FilelockPeer } from "./helpers/filelock.js";
import { tempDir } from "./helpers/tmp.js";

async function tryLock(t: Parameters<typeof tempDir>[0], peer: FilelockPeer, file: string): Promise<"acquired" | "busy" | "refused"> {
  const r = await finished(startChild(t, PYTHON, [pyScript("try_lock.py"), file], peer.env));
  const said = r.stdout.trim();
  if (r.code === 0 && (said === "acquired" || said === "busy")) return said;
  // O_NOFOLLOW on a symlink: the open fails, the lock is never taken.
  assert.match(r.stderr, /ELOOP|Too many levels of symbolic links|Timeout|could not be acquired/, r.stderr);
  return "refused";
}

for (const peer of filelockPeers()) {
  test(`filelock ${peer.version} follows the ${peer.protocol} protocol: truncation of a busy sidecar, the sidecar after release, symlinked sidecars`, needs(peer.needs), async (t) => {
    const dir = await tempDir(t);
    const file = join(dir, "equipment.json");
    const sidecar = lockPathFor(file);

    // Busy: we hold the lock on a sidecar that has bytes in it.
    const busy = await withFileLock(file, async () => {
      await writeFile(sidecar, "held");
      return { result: await tryLock(t, peer, file), bytes: (await readFile(sidecar)).length };
    });
    assert.deepEqual(busy, { result: "busy", bytes: peer.protocol === "4" ? 4 : 0 });

    // Free: it takes the lock and lets it go; 3.29 unlinks the sidecar first.
    assert.equal(await tryLock(t, peer, file), "acquired");
    const kept = await lstat(sidecar).then(() => true, () => false);
    assert.equal(kept, peer.protocol !== "3.29");

    // A sidecar planted as a symlink: followed (and its target truncated) without O_NOFOLLOW only.
    const other = join(dir, "other.json");
    const target = join(dir, "target.txt");
    await writeFile(target, "precious");
    await symlink(target, lockPathFor(other));
    const planted = await tryLock(t, peer, other);
    assert.equal(planted, peer.nofollow ? "refused" : "acquired");
    assert.equal(await readFile(target, "utf8"), peer.nofollow ? "precious" : "");
  });
}
