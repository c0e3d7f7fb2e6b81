/**
 * The install lane: the packed tarball installed into a fresh folder by an
 * npm whose PATH holds only node, npm and sh (no compiler, make or Python),
 * once with install scripts and once without, then a locked write and a
 * read through the installed package.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { tempDir } from "../helpers/tmp.js";
import { REPO_ROOT } from "./_lanes.js";

const PREBUILDS = [
  "prebuilds/linux-arm64/node.napi.glibc.node",
  "prebuilds/linux-x64/node.napi.glibc.node",
  "prebuilds/linux-x64/node.napi.musl.node",
  "prebuilds/win32-x64/node.napi.node",
];

const PROBE = `
import { atomicWriteFile, readCacheFile, withFileLock } from "exlab-cache";
const path = process.argv[2];
await withFileLock(path, () => atomicWriteFile(path, '{"written":true}'));
process.stdout.write((await readCacheFile(path)).toString("utf8"));
`;

test("the packed tarball carries the four prebuilds and installs without a toolchain, with and without scripts", async (t) => {
  const dir = await tempDir(t);
  // dist/ is built by `npm test` before the tests run; prepare would only rebuild it.
  const tgz = execFileSync("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", dir], { cwd: REPO_ROOT, encoding: "utf8" }).trim();
  const listing = execFileSync("tar", ["tzf", join(dir, tgz)], { encoding: "utf8" }).split("\n");
  for (const file of PREBUILDS) assert.ok(listing.includes(`package/${file}`), `${file} is missing from ${tgz}`);

  const bin = join(dir, "bin");
  mkdirSync(bin);
  symlinkSync(process.execPath, join(bin, "node"));
  const npmCli = execFileSync("sh", ["-c", "command -v npm"], { encoding: "utf8" }).trim();
  symlinkSync(realpathSync(npmCli), join(bin, "npm"));
  // npm runs install scripts through sh; a shell is not a build tool.
  symlinkSync("/bin/sh", join(bin, "sh"));
  const env: NodeJS.ProcessEnv = { PATH: bin, HOME: process.env.HOME ?? dir };
  for (const key of ["npm_config_cache", "npm_config_registry", "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY"]) {
    if (process.env[key] !== undefined) env[key] = process.env[key];
  }
  const probe = spawnSync("/bin/sh", ["-c", "command -v cc || command -v gcc || command -v make || command -v python3 || command -v python"], { env });
  assert.notEqual(probe.status, 0, "a compiler, make or Python is reachable on the install PATH");

  for (const scripts of [true, false]) {
    const app = join(dir, scripts ? "with-scripts" : "without-scripts");
    mkdirSync(app);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "probe", private: true, type: "module" }));
    writeFileSync(join(app, "probe.mjs"), PROBE);
    const args = ["install", "--no-audit", "--no-fund", "--foreground-scripts", ...(scripts ? [] : ["--ignore-scripts"]), join(dir, tgz)];
    const install = spawnSync(join(bin, "npm"), args, { cwd: app, env, encoding: "utf8" });
    assert.equal(install.status, 0, `npm ${args.join(" ")}\n${install.stdout}\n${install.stderr}`);
    // Nothing was compiled: the prebuild is what loads.
    assert.equal(existsSync(join(app, "node_modules", "exlab-cache", "build")), false);
    const file = join(app, "data", "equipment.json");
    const run = spawnSync(join(bin, "node"), ["probe.mjs", file], { cwd: app, env, encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, '{"written":true}');
    assert.equal(await readFile(file, "utf8"), '{"written":true}');
    assert.equal(existsSync(`${file}.lock`), true);
  }
});
