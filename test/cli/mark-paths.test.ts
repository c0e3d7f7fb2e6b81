/**
 * The mark commands print absolute paths, in errors too, whatever the
 * working folder and however --root is spelt.
 */
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { cli, stdoutJson } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";

for (const command of ["mark-test-runs", "mark-runs"]) {
  test(`${command} with a relative --root names absolute paths in its errors and its result`, async (t) => {
    const cwd = await tempDir(t);
    const missingRoot = await cli(t, [command, "--root", "relative/path", "--equipment", "CONFOCAL_01", "--project", "P"], { cwd });
    assert.equal(missingRoot.code, 2);
    assert.equal(missingRoot.stderr, `error: ${join(cwd, "relative/path")}: the root folder does not exist [not_found]\n`);
    await mkdir(join(cwd, "lab"));
    const missingEquipment = await cli(t, [command, "--root", "./lab", "--equipment", "NOPE", "--project", "P", "--json"], { cwd });
    assert.equal(missingEquipment.code, 2);
    const e = (stdoutJson(missingEquipment) as { error: { message: string; details: { path: string } } }).error;
    assert.equal(e.details.path, join(cwd, "lab", "NOPE"));
    assert.ok(e.message.startsWith(`${join(cwd, "lab", "NOPE")}: `), e.message);
    await mkdir(join(cwd, "lab", "CONFOCAL_01"));
    const made = await cli(t, [command, "--root", "lab", "--equipment", "CONFOCAL_01", "--project", "P", "--json"], { cwd });
    assert.equal(made.code, 0, made.stderr);
    assert.ok((stdoutJson(made) as { path: string }).path.startsWith(`${join(cwd, "lab", "CONFOCAL_01", "P")}/`));
    const empty = await cli(t, [command, "--root", "", "--equipment", "CONFOCAL_01", "--project", "P"], { cwd });
    assert.equal(empty.code, 2);
  });
}
