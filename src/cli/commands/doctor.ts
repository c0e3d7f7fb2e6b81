/**
 * `exlab-cache doctor`: whether this machine can write cache files, and if
 * not, why and what to do. Exit 0 only when everything a write needs works.
 *
 * @module
 */
import { stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { resolve } from "node:path";
import { InputError, fromOsError } from "../../errors.js";
import { runtimeLibc } from "../../fs/_native.js";
import { REPORT_VERSION } from "../../report.js";
import { stringOption, switchOn, type Command } from "../command.js";
import { EXIT_OK, EXIT_PROBLEMS } from "../errors.js";
import { printJson, styleFor, type CliIo } from "../io.js";
import { escapeText } from "../_text.js";
import {
  checkFilesystem,
  checkLock,
  checkNative,
  checkWritable,
  type DoctorProblem,
  type FilesystemFacts,
  type LockFacts,
  type NativeFacts,
} from "../_doctor-checks.js";

/** What `doctor --json` prints. */
export interface DoctorReport {
  version: typeof REPORT_VERSION;
  /** Whether everything a write needs works (then the exit code is 0). */
  ok: boolean;
  platform: { os: string; arch: string; libc: string | null };
  runtime: { name: string; version: string; napi: string | null };
  native: NativeFacts;
  /** Null when there is no binary to lock with. */
  lock: LockFacts | null;
  /** Null without --root. */
  root: { path: string; filesystem: FilesystemFacts; writable: boolean } | null;
  problems: DoctorProblem[];
}

function runtime(): DoctorReport["runtime"] {
  const v = process.versions as Record<string, string | undefined>;
  const napi = v["napi"] ?? null;
  if (v["bun"] !== undefined) return { name: "bun", version: v["bun"], napi };
  if (v["deno"] !== undefined) return { name: "deno", version: v["deno"], napi };
  return { name: "node", version: process.version, napi };
}

/** The C library the binary was chosen for (see runtimeLibc), with glibc's version where the report has the real one. */
function libc(): string | null {
  const kind = runtimeLibc();
  if (kind !== "glibc" || runtime().name === "deno") return kind;
  try {
    const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
    return header?.glibcVersionRuntime !== undefined ? `glibc ${header.glibcVersionRuntime}` : kind;
  } catch {
    return kind;
  }
}

async function requireDir(root: string): Promise<void> {
  let isDir: boolean;
  try {
    isDir = (await stat(root)).isDirectory();
  } catch (err) {
    throw fromOsError(err, root);
  }
  if (!isDir) throw new InputError("not_a_directory", root, "is not a directory");
}

async function lockIn(dir: string, problems: DoctorProblem[]): Promise<LockFacts> {
  const { facts, problem } = await checkLock(dir);
  if (problem !== undefined) problems.push(problem);
  return facts;
}

function print(io: CliIo, r: DoctorReport): void {
  const s = styleFor(io, "stdout");
  const mark = (ok: boolean): string => (ok ? s.green("ok") : s.red("FAILED"));
  const line = (key: string, text: string): void => void io.stdout.write(`  ${key.padEnd(11)}${text}\n`);
  line("platform", `${r.platform.os} ${r.platform.arch}${r.platform.libc === null ? "" : ` (${r.platform.libc})`}`);
  line("runtime", `${r.runtime.name} ${r.runtime.version}${r.runtime.napi === null ? "" : ` (N-API ${r.runtime.napi})`}`);
  const n = r.native;
  line("native", n.ok ? `${mark(true)}: ${escapeText(n.path ?? "")} (${n.source ?? "?"}; lock waits: ${n.wait_method ?? "?"})` : `${mark(false)}${n.path === null ? "" : `: ${escapeText(n.path)}`}`);
  if (r.lock === null) line("lock", `${s.dim("not tried")} (no native binary)`);
  else line("lock", r.lock.ok ? `${mark(true)}: a second process was excluded while this one held the lock, and got it once released` : mark(false));
  if (r.root !== null) {
    const fs = r.root.filesystem;
    line("root", escapeText(r.root.path));
    line("filesystem", `${fs.type ?? fs.kind}: ${fs.kind === "unknown" ? "not judged on this platform" : fs.flock_safe ? "flock is safe here" : s.red("flock is NOT safe here")}`);
    line("writable", r.root.writable ? "yes" : s.red("no"));
  }
  for (const p of r.problems) {
    io.stdout.write(`${s.red("problem:")} ${escapeText(p.message)} ${s.dim(`[${p.code}]`)}\n  fix: ${p.fix}\n`);
  }
  const where = r.root === null ? "" : ` under ${escapeText(r.root.path)}`;
  io.stdout.write(r.ok ? `${s.green("ok")}: this machine can write cache files${where}\n` : `${s.red("not ready")}: writes${where} would fail or be unsafe (see the fixes above)\n`);
}

/** The `doctor` command. */
export const command: Command = {
  name: "doctor",
  positionals: [],
  options: [{ name: "root", type: "string", value: "<local_root>", help: "Also check this folder: its filesystem, and whether this account can write there" }],
  description: [
    "Reports the platform and runtime, which native binary was loaded and from where, and",
    "runs a lock self-test: this process holds the lock of a scratch file and a second",
    "process must be refused it, then get it once released. With --root, the self-test runs",
    "there, and the folder's filesystem is named with whether flock is safe on it (NFS, SMB",
    "and FUSE are not) and whether this account can write there. Each problem comes with its",
    "cause and the fix. Exit 0 only when everything a write needs works, else 1.",
  ].join("\n"),
  example: "doctor --root /data/lab",
  async run(args, io) {
    const rootArg = stringOption(args, "root");
    const root = rootArg === undefined ? undefined : resolve(rootArg);
    if (root !== undefined) await requireDir(root);
    const problems: DoctorProblem[] = [];
    const native = checkNative(io.env);
    if (native.problem !== undefined) problems.push(native.problem);
    let lock: LockFacts | null = null;
    let rootFacts: DoctorReport["root"] = null;
    if (root !== undefined) {
      const fs = await checkFilesystem(root);
      if (fs.problem !== undefined) problems.push(fs.problem);
      const written = await checkWritable(root, async (dir) => (native.facts.ok ? lockIn(dir, problems) : null));
      if (written.problem !== undefined) problems.push(written.problem);
      lock = written.result ?? null;
      rootFacts = { path: root, filesystem: fs.facts, writable: written.writable };
    }
    if (lock === null && native.facts.ok) {
      // No root, or one that cannot be written: the self-test runs in the temp folder.
      const scratch = await checkWritable(tmpdir(), (dir) => lockIn(dir, problems));
      if (scratch.problem !== undefined && root === undefined) problems.push(scratch.problem);
      lock = scratch.result ?? null;
    }
    const report: DoctorReport = {
      version: REPORT_VERSION,
      ok: problems.length === 0,
      platform: { os: process.platform, arch: process.arch, libc: libc() },
      runtime: runtime(),
      native: native.facts,
      lock,
      root: rootFacts,
      problems,
    };
    if (switchOn(args, "json")) printJson(io, report);
    else print(io, report);
    return report.ok ? EXIT_OK : EXIT_PROBLEMS;
  },
};
