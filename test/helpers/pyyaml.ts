/**
 * Real PyYAML, one long-lived `python3` process answering `safe_load`
 * requests over JSON lines (test/python/pyyaml_values.py), and this
 * project's loader, both giving a whole document's values in the tagged form
 * of src/config/_tagged.ts, and the comparison of the two.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { loadConfigValues, type Tagged } from "../../src/config/_tagged.js";
import { ConfigError } from "../../src/errors.js";
import { PYTHON, REPO_ROOT } from "./capabilities.js";

/** A load's outcome: the values, or why it was refused. */
export type Outcome = { readonly ok: true; readonly value: Tagged } | { readonly ok: false; readonly error: string };

/** A running PyYAML; `close()` it when done. */
export class PyYaml {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting = new Map<number, (o: Outcome) => void>();
  private next = 0;
  private failure: Error | undefined;

  constructor() {
    this.child = spawn(PYTHON, [join(REPO_ROOT, "test", "python", "pyyaml_values.py")], { stdio: ["pipe", "pipe", "pipe"] });
    let stderr = "";
    this.child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    this.child.on("exit", (code) => {
      this.failure = new Error(`PyYAML process ended (${code}): ${stderr}`);
      for (const [, resolve] of this.waiting) resolve({ ok: false, error: `process ended: ${stderr}` });
      this.waiting.clear();
    });
    createInterface({ input: this.child.stdout }).on("line", (line) => {
      const answer = JSON.parse(line) as { id: number; ok: boolean; value?: Tagged; error?: string };
      const resolve = this.waiting.get(answer.id);
      this.waiting.delete(answer.id);
      resolve?.(answer.ok ? { ok: true, value: answer.value ?? null } : { ok: false, error: answer.error ?? "?" });
    });
  }

  /** `yaml.safe_load` of `bytes` as a binary stream. */
  load(bytes: Buffer): Promise<Outcome> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const id = this.next++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.child.stdin.write(JSON.stringify({ id, base64: bytes.toString("base64") }) + "\n");
    });
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const ended = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.stdin.end();
    await ended;
  }
}

/** This project's loader on `bytes`; a crash (not a `ConfigError`) is an outcome too, marked as one. */
export async function ours(bytes: Buffer): Promise<Outcome> {
  try {
    return { ok: true, value: await loadConfigValues(bytes, "config.yaml") };
  } catch (err) {
    if (err instanceof ConfigError) return { ok: false, error: `${err.code}: ${err.message}` };
    return { ok: false, error: `CRASH ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}` };
  }
}

/** Sets sorted the same way on both sides. */
function canonical(v: Tagged): Tagged {
  if (Array.isArray(v)) return v.map(canonical);
  if (v === null || typeof v !== "object") return v;
  const o = v as Record<string, Tagged>;
  if (Array.isArray(o["set"])) {
    const members = o["set"].map(canonical);
    return { set: members.map((m) => [JSON.stringify(m), m] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, m]) => m) };
  }
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, canonical(x)]));
}

/** undefined when the two agree (both refuse, or the same values), else how they differ. */
export function disagreement(py: Outcome, ts: Outcome): string | undefined {
  if (!ts.ok && ts.error.startsWith("CRASH")) return `ours crashed: ${ts.error}`;
  if (!py.ok && !ts.ok) return undefined;
  if (!py.ok) return `PyYAML refuses (${py.error}), ours loads ${JSON.stringify(ts.ok ? ts.value : null).slice(0, 300)}`;
  if (!ts.ok) return `PyYAML loads ${JSON.stringify(py.value).slice(0, 300)}, ours refuses (${ts.error})`;
  const a = JSON.stringify(canonical(py.value));
  const b = JSON.stringify(canonical(ts.value));
  return a === b ? undefined : `values differ: PyYAML ${a.slice(0, 400)} / ours ${b.slice(0, 400)}`;
}
