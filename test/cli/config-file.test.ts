import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdir, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { cli, stdoutJson } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";
import { put } from "../helpers/tree.js";
import { configText, nextPass, watch } from "./_watching.js";

const LIMIT = 1024 * 1024;

function fifo(dir: string): string {
  const path = join(dir, "config.yaml");
  const made = spawnSync("mkfifo", [path], { encoding: "utf8" });
  assert.equal(made.status, 0, made.stderr);
  return path;
}

test("sync refuses a config that is a FIFO with one line and a code, without waiting for a writer (exit 2)", async (t) => {
  const dir = await tempDir(t);
  const config = fifo(dir);
  const run = await cli(t, ["sync", "--config", config]);
  assert.deepEqual([run.code, run.stdout], [2, ""]);
  assert.equal(run.stderr, `error: ${config}: is a FIFO, not a regular file; a config is read only from a regular file [not_regular_file]\n`);
  const json = await cli(t, ["sync", "--config", config, "--json"]);
  assert.equal(json.code, 2);
  assert.deepEqual(stdoutJson(json), {
    error: {
      code: "not_regular_file",
      message: `${config}: is a FIFO, not a regular file; a config is read only from a regular file`,
      details: { kind: "FIFO", path: config },
    },
  });
});

test("sync --config /dev/zero is refused with one line, no stack (exit 2)", async (t) => {
  const run = await cli(t, ["sync", "--config", "/dev/zero"]);
  assert.deepEqual([run.code, run.stdout], [2, ""]);
  assert.equal(run.stderr, "error: /dev/zero: is a character device, not a regular file; a config is read only from a regular file [not_regular_file]\n");
});

test("sync refuses a config larger than 1 MiB with file_too_large and reads one of exactly 1 MiB (exit 2)", async (t) => {
  const dir = await tempDir(t);
  const lab = join(dir, "lab");
  await mkdir(lab);
  const config = await put(join(dir, "config.yaml"), "");
  await truncate(config, LIMIT + 1);
  const run = await cli(t, ["sync", "--config", config]);
  assert.deepEqual([run.code, run.stdout], [2, ""]);
  assert.equal(run.stderr, `error: ${config}: is ${LIMIT + 1} bytes, more than the ${LIMIT} bytes (1 MiB) a config may have [file_too_large]\n`);
  const json = await cli(t, ["sync", "--config", config, "--json"]);
  assert.deepEqual((stdoutJson(json) as { error: unknown }).error, {
    code: "file_too_large",
    message: `${config}: is ${LIMIT + 1} bytes, more than the ${LIMIT} bytes (1 MiB) a config may have`,
    details: { size: LIMIT + 1, limit: LIMIT, path: config },
  });
  // At the bound it is read: a real config padded with a long comment.
  const text = configText(lab, "Padded");
  await writeFile(config, `${text}#${" ".repeat(LIMIT - text.length - 2)}\n`);
  const ok = await cli(t, ["sync", "--config", config]);
  assert.equal(ok.code, 0, ok.stderr);
});

test("sync --watch reports a FIFO or too large config as an error line and still stops at once on SIGTERM (exit 0) and SIGINT (exit 130)", async (t) => {
  const dir = await tempDir(t);
  const config = fifo(dir);
  const { child, out, done } = watch(t, config, true);
  assert.deepEqual(await nextPass(out, []), {
    event: "error",
    error: { code: "not_regular_file", message: `${config}: is a FIFO, not a regular file; a config is read only from a regular file`, details: { kind: "FIFO", path: config } },
  });
  child.kill("SIGTERM");
  assert.deepEqual(await nextPass(out, []), { event: "stopped", config });
  assert.equal((await done).code, 0);

  const big = await put(join(dir, "big.yaml"), "");
  await truncate(big, LIMIT + 1);
  const second = watch(t, big, false);
  assert.equal(await second.err.next(), `error: ${big}: is ${LIMIT + 1} bytes, more than the ${LIMIT} bytes (1 MiB) a config may have [file_too_large]`);
  second.child.kill("SIGINT");
  assert.equal(await second.out.next(), `stopped watching ${big}`);
  assert.equal((await second.done).code, 130);
});

test("a relative --config is named by its absolute path in errors and in the report", async (t) => {
  const dir = await tempDir(t);
  const lab = join(dir, "lab");
  await mkdir(lab);
  await put(join(dir, "config.yaml"), "equipment:\n  - id: [unclosed\n");
  const broken = await cli(t, ["sync", "--config", "config.yaml"], { cwd: dir });
  assert.equal(broken.code, 2);
  assert.match(broken.stderr, new RegExp(`^error: ${join(dir, "config.yaml")}:\\d+:\\d+: YAML syntax error: .+ \\[yaml_syntax_error\\]\\n$`));
  await put(join(dir, "config.yaml"), configText(lab, "One"));
  const run = await cli(t, ["sync", "--config", "./config.yaml", "--json"], { cwd: dir });
  assert.equal(run.code, 0);
  assert.equal((stdoutJson(run) as { config: string }).config, join(dir, "config.yaml"));
});
