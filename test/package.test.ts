/**
 * What `npm pack` would publish, as an installed user meets it: the entry
 * points and the files the README promises are there, every source map
 * names sources that ship, and every relative link of a shipped Markdown
 * file reaches a shipped file and, with an anchor, one of its headings.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { test } from "node:test";
import { REPO_ROOT } from "./helpers/capabilities.js";

interface PackEntry {
  path: string;
}

/** The files `npm pack` would put in the tarball (no scripts run: dist/ is built before the tests). */
function packedFiles(): Set<string> {
  const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: REPO_ROOT, encoding: "utf8" });
  const [pack] = JSON.parse(out) as { files: PackEntry[] }[];
  assert.ok(pack !== undefined);
  return new Set(pack.files.map((f) => f.path));
}

const files = packedFiles();
const read = (path: string): string => readFileSync(join(REPO_ROOT, path), "utf8");

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
export function slug(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");
}

/** The anchors of a Markdown file's headings, repeated ones numbered as GitHub numbers them. */
function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (line.startsWith("```")) fenced = !fenced;
    const m = fenced ? null : /^#{1,6} (.*)$/.exec(line);
    if (m === null) continue;
    const base = slug((m[1] ?? "").trim());
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

test("the tarball holds the entry points, the licence, the changelog and the docs the README links to", () => {
  const pkg = JSON.parse(read("package.json")) as { exports: Record<string, unknown>; main: string; types: string; bin: Record<string, string> };
  const targets = [pkg.main, pkg.types, ...Object.values(pkg.bin)];
  for (const entry of Object.values(pkg.exports)) {
    if (typeof entry === "string") targets.push(entry);
    else targets.push(...Object.values(entry as Record<string, string>));
  }
  for (const target of targets) {
    if (target.includes("*")) {
      const [head = "", tail = ""] = normalize(target).split("*");
      assert.ok([...files].some((f) => f.startsWith(head) && f.endsWith(tail)), `nothing ships for ${target}`);
    } else {
      assert.ok(files.has(normalize(target)), `${target} does not ship`);
    }
  }
  for (const file of ["LICENSE", "CHANGELOG.md", "README.md", "package.json"]) assert.ok(files.has(file), `${file} does not ship`);
  assert.match(read("LICENSE"), /^MIT License\n\nCopyright \(c\) \d{4} exlab-cache contributors\n/);
  assert.match(read("CHANGELOG.md"), /^# Changelog\n[\s\S]*\n## \[Unreleased\]\n/);
  // Nothing of the development tree rides along.
  for (const f of files) assert.doesNotMatch(f, /^(test|dist-test|node_modules|build|lab|bench\/results)\//, f);
});

test("every source map and declaration map in the tarball names sources that ship", () => {
  const maps = [...files].filter((f) => f.endsWith(".map"));
  assert.ok(maps.length > 0, "no source maps ship");
  const missing: string[] = [];
  for (const map of maps) {
    const { sources, sourceRoot = "" } = JSON.parse(read(map)) as { sources: string[]; sourceRoot?: string };
    for (const source of sources) {
      const target = normalize(join(dirname(map), sourceRoot, source));
      if (!files.has(target)) missing.push(`${map} -> ${target}`);
    }
  }
  assert.deepEqual(missing, []);
});

test("every relative link of a shipped Markdown file reaches a shipped file and heading", () => {
  const broken: string[] = [];
  for (const doc of [...files].filter((f) => f.endsWith(".md"))) {
    const text = read(doc).replace(/```[\s\S]*?```/g, "");
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const href = m[1] ?? "";
      if (/^[a-z]+:/i.test(href)) continue;
      const [path = "", anchor] = href.split("#");
      const target = path === "" ? doc : normalize(join(dirname(doc), path));
      if (!files.has(target)) {
        broken.push(`${doc}: ${href} (no ${target} in the tarball)`);
      } else if (anchor !== undefined && target.endsWith(".md") && !anchors(read(target)).has(anchor)) {
        broken.push(`${doc}: ${href} (no heading #${anchor} in ${target})`);
      }
    }
  }
  assert.deepEqual(broken, []);
});

test("heading anchors are made as GitHub makes them", () => {
  assert.equal(slug("`writeEquipment(path, payload, { signal }?) → Promise<EquipmentJson>`"), "writeequipmentpath-payload--signal---promiseequipmentjson");
  assert.equal(slug("Guarantees and limits"), "guarantees-and-limits");
  assert.deepEqual([...anchors("# A\n## A\n```\n# not a heading\n```\n## B b\n")], ["a", "a-1", "b-b"]);
});

test("both entry points load through require() as well as import, on the Node lines engines names", () => {
  for (const specifier of ["exlab-cache", "exlab-cache/cli"]) {
    const probe = `const m = require(${JSON.stringify(specifier)}); if (Object.keys(m).length === 0) process.exit(3);`;
    const r = spawnSync(process.execPath, ["-e", probe], { cwd: REPO_ROOT, encoding: "utf8" });
    assert.equal(r.status, 0, `require(${specifier}): ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /ExperimentalWarning/);
  }
  const engines = (JSON.parse(read("package.json")) as { engines: { node: string } }).engines.node;
  assert.equal(engines, "^20.19.0 || >=22.12.0", "require(esm) works unflagged from 20.19 and 22.12");
});

test("the README opens with what it is, install, the command line and the library, then the contributor commands, in at most 250 lines", () => {
  const readme = read("README.md");
  assert.ok(readme.split("\n").length <= 250, `the README has ${readme.split("\n").length} lines`);
  const headings = [...readme.matchAll(/^## (.*)$/gm)].map((m) => m[1]);
  assert.deepEqual(headings.slice(0, 4), ["Install", "Command line", "Library", "From a clone"]);
  assert.match(readme, /^```sh\nnpm ci && npm run demo .*\nnpm ci && npm test .*\n```$/m);
});
