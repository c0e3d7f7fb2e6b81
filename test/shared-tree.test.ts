/**
 * Shared lab trees with real accounts: alice and bob in one group, a
 * stranger outside it, a setgid group-writable tree, and root. Every child
 * runs under its own uid, gids and umask (setpriv), so what the kernel
 * allows is what is tested. Needs root to create the accounts (skipped
 * without it, and CI runs as root).
 */
import assert from "node:assert/strict";
import { chmod, chown, lstat, mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { test, type TestContext } from "node:test";
import { EquipmentCacheWriter, atomicWriteFile, equipmentJsonPath, lockPathFor, testRunsMarkerPath } from "exlab-cache";
import { createLab, runAs, type Account, type Lab } from "./helpers/accounts.js";
import { workerScript } from "./helpers/children.js";
import { BIN } from "./helpers/cli.js";
import { needs } from "./helpers/capabilities.js";
import { PYTHON, filelockPeers, pyScript, standinDir } from "./helpers/filelock.js";
import { equipmentPayload, tempDir } from "./helpers/tmp.js";

interface Tree {
  lab: Lab;
  root: string;
  equipment: string;
  marker: string;
}

/** A `drwxrwsr-x root:<lab>` tree root that everyone can reach. */
async function sharedTree(t: TestContext): Promise<Tree> {
  const lab = createLab(t);
  const base = await tempDir(t);
  await chmod(base, 0o755);
  const root = join(base, "lab");
  await mkdir(root);
  await chown(root, 0, lab.gid);
  await chmod(root, 0o2775);
  return { lab, root, equipment: equipmentJsonPath(root, "CONFOCAL_01"), marker: testRunsMarkerPath(root, "CONFOCAL_01", "PROJ-0042") };
}

async function asUser(t: TestContext, who: Account, umask: string, op: "equipment" | "marker" | "lock", path: string, arg = "x"): Promise<{ code: number | null; out: unknown }> {
  const r = await runAs(t, who, umask, process.execPath, [workerScript("as-user"), op, path, arg]);
  assert.ok(r.code === 0 || r.code === 3, `${who.name} ${op}: exit ${r.code}: ${r.stderr}`);
  return { code: r.code, out: JSON.parse(r.stdout) as unknown };
}

async function owner(path: string): Promise<{ mode: number; uid: number; gid: number }> {
  const st = await lstat(path);
  return { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
}

/** Every entry under `dir` with its mode, owner and bytes: "nothing changed" is this being equal. */
async function snapshot(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of (await readdir(dir, { recursive: true })).sort()) {
    const p = join(dir, e);
    const st = await lstat(p);
    out.push(`${e} ${st.mode.toString(8)} ${st.uid}:${st.gid} ${st.isFile() ? await readFile(p, "utf8") : ""}`);
  }
  return out;
}

test("alice creates under umask 002; bob (same group) rewrites, marks and rewrites again; modes and group follow the tree", needs(["accounts"]), async (t) => {
  const { lab, equipment, marker } = await sharedTree(t);
  assert.equal((await asUser(t, lab.alice, "002", "equipment", equipment, "by alice")).code, 0);
  // New files 0666 and folders 0777 minus the umask; the setgid tree gives them the lab group.
  assert.deepEqual(await owner(equipment), { mode: 0o664, uid: lab.alice.uid, gid: lab.gid });
  assert.deepEqual(await owner(lockPathFor(equipment)), { mode: 0o664, uid: lab.alice.uid, gid: lab.gid });
  assert.deepEqual(await owner(dirname(equipment)), { mode: 0o2775, uid: lab.alice.uid, gid: lab.gid });

  const rewrite = await asUser(t, lab.bob, "002", "equipment", equipment, "by bob");
  assert.equal(rewrite.code, 0, JSON.stringify(rewrite.out));
  // A non-root rewriter becomes the owner, keeps the group it is in and the mode.
  assert.deepEqual(await owner(equipment), { mode: 0o664, uid: lab.bob.uid, gid: lab.gid });
  assert.equal((JSON.parse(await readFile(equipment, "utf8")) as { label: string }).label, "by bob");

  assert.deepEqual((await asUser(t, lab.bob, "002", "marker", marker, "PROJ-0042")).out, true);
  assert.deepEqual(await owner(marker), { mode: 0o664, uid: lab.bob.uid, gid: lab.gid });
  assert.deepEqual((await asUser(t, lab.alice, "002", "marker", marker, "OTHER")).out, false);
  assert.equal((await asUser(t, lab.alice, "002", "equipment", equipment, "alice again")).code, 0);
  assert.deepEqual(await owner(equipment), { mode: 0o664, uid: lab.alice.uid, gid: lab.gid });
});

for (const peer of filelockPeers()) {
  test(`Python filelock ${peer.version} run as bob locks a sidecar alice created (umask 002) and does its read-modify-writes`, needs(["accounts", ...peer.needs]), async (t) => {
    const { lab, equipment } = await sharedTree(t);
    assert.equal((await asUser(t, lab.alice, "002", "equipment", equipment, "by alice")).code, 0);
    const probe = await runAs(t, lab.bob, "002", PYTHON, [pyScript("try_lock.py"), equipment], peer.env);
    assert.equal(probe.code, 0, probe.stderr);
    assert.equal(probe.stdout.trim(), "acquired");
    const counted = await runAs(t, lab.bob, "002", PYTHON, [pyScript("counter.py"), join(dirname(equipment), "n"), "3"], peer.env);
    assert.equal(counted.code, 0, counted.stderr);
    assert.equal(await readFile(join(dirname(equipment), "n"), "utf8"), "3");
  });
}

test("root's rewrite keeps 0640 alice:lab", needs(["accounts"]), async (t) => {
  const { lab, equipment } = await sharedTree(t);
  assert.equal((await asUser(t, lab.alice, "002", "equipment", equipment, "by alice")).code, 0);
  await chmod(equipment, 0o640);
  await new EquipmentCacheWriter().writeEquipment(equipment, equipmentPayload({ label: "by root" }));
  assert.deepEqual(await owner(equipment), { mode: 0o640, uid: lab.alice.uid, gid: lab.gid });
  assert.equal((JSON.parse(await readFile(equipment, "utf8")) as { label: string }).label, "by root");
});

test("a 0644 sidecar left by another account still lets a group member lock and write (read-only descriptor)", needs(["accounts"]), async (t) => {
  const { lab, equipment } = await sharedTree(t);
  assert.equal((await asUser(t, lab.alice, "022", "equipment", equipment, "by alice")).code, 0);
  await chmod(dirname(equipment), 0o2775);
  assert.equal((await owner(lockPathFor(equipment))).mode, 0o644);
  const r = await asUser(t, lab.bob, "002", "equipment", equipment, "by bob");
  assert.equal(r.code, 0, JSON.stringify(r.out));
  assert.equal((JSON.parse(await readFile(equipment, "utf8")) as { label: string }).label, "by bob");
  // The sidecar was locked, not taken over: still alice's, still 0644.
  assert.deepEqual(await owner(lockPathFor(equipment)), { mode: 0o644, uid: lab.alice.uid, gid: lab.gid });
});

for (const umask of ["002", "007"]) {
  // Under 002 the stranger may read the sidecar, so it can lock it (flock
  // needs only a read-only descriptor) but the folder refuses its temp
  // file. Under 007 it cannot even open the sidecar.
  const refused = umask === "002" ? "create_in_folder" : "open_sidecar";
  test(`a stranger outside the group (tree made under umask ${umask}) gets permission_denied (${refused}) from the writer and the marker, and nothing changes`, needs(["accounts"]), async (t) => {
    const { lab, root, equipment, marker } = await sharedTree(t);
    assert.equal((await asUser(t, lab.alice, umask, "equipment", equipment, "by alice")).code, 0);
    assert.equal((await asUser(t, lab.alice, umask, "marker", marker, "PROJ-0042")).code, 0);
    await chmod(join(root, "CONFOCAL_01"), 0o2775); // the stranger may reach the cache folder
    await chmod(dirname(equipment), umask === "002" ? 0o2775 : 0o2771);
    const before = await snapshot(root);
    const expectations: [string, "equipment" | "marker" | "lock", string, string][] = [
      ["equipment", "equipment", equipment, refused],
      ["new marker", "marker", testRunsMarkerPath(root, "CONFOCAL_01", "NEW"), "create_in_folder"],
    ];
    if (umask === "007") expectations.push(["lock", "lock", equipment, "open_sidecar"]);
    for (const [what, op, path, operation] of expectations) {
      const r = await asUser(t, lab.stranger, "002", op, path);
      assert.equal(r.code, 3, `${what}: ${JSON.stringify(r.out)}`);
      const env = r.out as { error: { code: string; details: { operation: string; path: string } } };
      assert.equal(env.error.code, "permission_denied", what);
      assert.equal(env.error.details.operation, operation, what);
    }
    assert.deepEqual(await snapshot(root), before);
  });
}

for (const [umask, file, dir] of [
  ["022", 0o644, 0o2755],
  ["077", 0o600, 0o2700],
] as const) {
  test(`umask ${umask}: new files are ${file.toString(8)}, folders ${dir.toString(8)}; root's rewrite keeps them`, needs(["accounts"]), async (t) => {
    const { lab, equipment } = await sharedTree(t);
    assert.equal((await asUser(t, lab.alice, umask, "equipment", equipment, "by alice")).code, 0);
    assert.deepEqual(await owner(equipment), { mode: file, uid: lab.alice.uid, gid: lab.gid });
    assert.equal((await owner(lockPathFor(equipment))).mode, file);
    assert.equal((await owner(dirname(equipment))).mode, dir);
    await new EquipmentCacheWriter().writeEquipment(equipment, equipmentPayload());
    assert.deepEqual(await owner(equipment), { mode: file, uid: lab.alice.uid, gid: lab.gid });
  });
}

test("a 0600 record written by Python (mkstemp) stays 0600 after our rewrites (as its owner and as root)", needs(["accounts", "python3"]), async (t) => {
  const { lab, root } = await sharedTree(t);
  const path = join(root, "n");
  const py = await runAs(t, lab.alice, "002", PYTHON, [pyScript("counter.py"), path, "1"], { PYTHONPATH: standinDir("4"), PYTHONDONTWRITEBYTECODE: "1" });
  assert.equal(py.code, 0, py.stderr);
  assert.equal((await owner(path)).mode, 0o600);
  const r = await runAs(t, lab.alice, "002", process.execPath, [workerScript("counter"), path, "1"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(await readFile(path, "utf8"), "2");
  assert.deepEqual(await owner(path), { mode: 0o600, uid: lab.alice.uid, gid: lab.gid });
  await atomicWriteFile(path, "3");
  assert.deepEqual(await owner(path), { mode: 0o600, uid: lab.alice.uid, gid: lab.gid });
});

test("the CLI as bob re-syncs a record alice wrote; as the stranger it reports permission_denied (envelope, exit 2) and changes nothing", needs(["accounts"]), async (t) => {
  const { lab, root, equipment } = await sharedTree(t);
  assert.equal((await asUser(t, lab.alice, "002", "equipment", equipment, "by alice")).code, 0);
  const config = join(dirname(root), "config.yaml");
  await writeFile(config, 'equipment:\n  - id: "CONFOCAL_01"\n    label: "Re-synced by bob"\n    local_root: "/data/lab"\n    nas_root: "//nas01/lab"\n');
  await chmod(config, 0o644);
  const sync = await runAs(t, lab.bob, "002", process.execPath, [BIN, "sync", "--config", config, "--root", root, "--json"]);
  assert.equal(sync.code, 0, sync.stdout + sync.stderr);
  const result = (JSON.parse(sync.stdout) as { results: { status: string }[] }).results[0];
  assert.equal(result?.status, "updated");
  assert.deepEqual(await owner(equipment), { mode: 0o664, uid: lab.bob.uid, gid: lab.gid });

  const before = await snapshot(root);
  const mark = await runAs(t, lab.stranger, "002", process.execPath, [BIN, "mark-test-runs", "--root", root, "--equipment", "CONFOCAL_01", "--project", "NEW", "--json"]);
  assert.equal(mark.code, 2, mark.stdout + mark.stderr);
  const env = JSON.parse(mark.stdout) as { error: { code: string; details: { operation: string } } };
  assert.equal(env.error.code, "permission_denied");
  assert.equal(env.error.details.operation, "create_in_folder");
  assert.equal(mark.stderr, "");
  assert.deepEqual(await snapshot(root), before);

  await chmod(root, 0o2770);
  const ls = await runAs(t, lab.stranger, "002", process.execPath, [BIN, "ls", root, "--json"]);
  assert.equal(ls.code, 2);
  assert.deepEqual((JSON.parse(ls.stdout) as { error: { code: string; details: unknown } }).error.code, "permission_denied");
});
