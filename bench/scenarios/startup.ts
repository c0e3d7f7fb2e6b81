/**
 * `CLI startup`: the wall time of a whole process, from spawn to exit, for
 * `node -e 0` (the floor: starting Node at all), `exlab-cache --version`
 * and a `sync` of a one-entry config (already in place, so each run takes
 * the lock, reads the file and leaves it unchanged). The three run in
 * rounds, in rotated order, so that a busy moment of the machine falls on
 * all of them alike.
 */
import { spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { rowOf, type Check, type Row } from "../_model.js";
import { PACKAGE_ROOT } from "../_paths.js";
import { summarize } from "../_stats.js";
import { startupTargets } from "../_targets.js";
import { freshDir, sized, type Scenario } from "./_context.js";

const FULL = 60;
const BIN = join(PACKAGE_ROOT, "dist", "cli", "bin.js");

/** Run `node ...args` once: its wall time in ns, exit code and stdout. */
function timed(args: readonly string[]): Promise<{ ns: number; code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.once("error", reject);
    child.once("exit", (code) => resolve({ ns: Number(process.hrtime.bigint() - t0), code, stdout }));
  });
}

export const startup: Scenario = {
  id: "startup",
  title: "CLI startup",
  async run(ctx) {
    const rounds = sized(ctx, FULL, 5);
    const dir = await freshDir(ctx, "startup");
    const lab = join(dir, "lab");
    await mkdir(lab);
    const config = join(dir, "config.yaml");
    await writeFile(config, `equipment:\n  - id: CONFOCAL_01\n    label: Confocal 1\n    local_root: ${lab}\n    nas_root: //nas01/lab\n`);
    const contenders = [
      { key: "bare", name: "`node -e 0`", ours: false, args: ["-e", "0"] },
      { key: "version", name: "`exlab-cache --version`", ours: true, args: [BIN, "--version"] },
      { key: "sync", name: "`exlab-cache sync` (one entry, unchanged)", ours: true, args: [BIN, "sync", "--config", config] },
    ] as const;
    // The first sync creates the file; a fresh process also warms the OS's caches.
    for (const c of contenders) await timed(c.args);
    const lat = new Map<string, number[]>(contenders.map((c) => [c.key, []]));
    const failures: string[] = [];
    const wall0 = process.hrtime.bigint();
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < contenders.length; i++) {
        const c = contenders[(i + r) % contenders.length];
        if (c === undefined) continue;
        const run = await timed(c.args);
        lat.get(c.key)?.push(run.ns);
        if (run.code !== 0) failures.push(`${c.key} exited ${String(run.code)}`);
        if (c.key === "sync" && !run.stdout.includes("1 unchanged")) failures.push(`sync printed ${JSON.stringify(run.stdout)}`);
      }
    }
    const wallNs = Number(process.hrtime.bigint() - wall0);
    ctx.log(`startup: ${rounds} rounds`);
    const rows: Row[] = contenders.map((c) => {
      const l = lat.get(c.key) ?? [];
      return { key: c.key, name: c.name, ours: c.ours, summary: summarize(l, wallNs), extra: {}, raw: { lat: l } };
    });
    const bare = rowOf(rows, "bare").summary;
    for (const row of rows) row.extra["÷ node -e 0"] = `${(row.summary.meanMs / bare.meanMs).toFixed(2)}×`;
    const checks: Check[] = [{ label: "every run exited 0; each sync found the entry unchanged", ok: failures.length === 0, detail: failures.slice(0, 3).join("; ") || `${rounds * contenders.length} runs` }];
    const compileCache = "enableCompileCache" in (await import("node:module")) ? "on (Node's module compile cache)" : "not available on this Node";
    return {
      setup: `${rounds} rounds of one process each of \`node -e 0\`, \`exlab-cache --version\` and a one-entry \`sync\`, in rotated order; wall time from spawn to exit. Compile cache: ${compileCache}.`,
      rows,
      extraColumns: ["÷ node -e 0"],
      targets: startupTargets(bare, rowOf(rows, "version").summary, rowOf(rows, "sync").summary),
      checks,
    };
  },
};
