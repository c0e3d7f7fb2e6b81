/**
 * Reading `strace -f -o FILE` output: one event per system call, with the
 * line where it started and the line where it returned (a call on one thread
 * can be interrupted by calls on others: `<unfinished ...>` / `<... resumed>`),
 * and the path behind every file descriptor at the time of the call, from the
 * `openat` results.
 */

/** One system call. */
export interface Syscall {
  pid: number;
  name: string;
  /** The argument text between the parentheses. */
  args: string;
  /** The return value; -1 on failure. */
  ret: number;
  /** `ENOENT`... when the call failed. */
  errno: string | undefined;
  /** Line index where the call began / returned: A happened before B when A.end < B.start. */
  start: number;
  end: number;
  /** The quoted path arguments, in order. */
  paths: string[];
  /** For calls whose first argument is a descriptor: that descriptor and the path it was opened at. */
  fd: number | undefined;
  fdPath: string | undefined;
}

const LINE = /^(\d+)\s+(.*)$/;
const CALL = /^([a-z0-9_]+)\((.*)$/;
const RESUMED = /^<\.\.\. ([a-z0-9_]+) resumed>(.*)$/;
const RESULT = /^(.*)\)\s+=\s+(-?\d+|\?)(?:\s+([A-Z0-9]+))?.*$/;
const QUOTED = /"((?:[^"\\]|\\.)*)"/g;

function unquote(s: string): string {
  return s.replace(/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|.)/g, (_, e: string) => {
    if (e.startsWith("x")) return String.fromCharCode(parseInt(e.slice(1), 16));
    if (/^[0-7]+$/.test(e)) return String.fromCharCode(parseInt(e, 8));
    return ({ n: "\n", t: "\t", r: "\r" } as Record<string, string>)[e] ?? e;
  });
}

function finish(pid: number, name: string, body: string, start: number, end: number): Syscall | undefined {
  const m = RESULT.exec(body);
  if (m === null) return undefined; // a call that never returned (the process exited)
  const args = m[1] ?? "";
  const paths = [...args.matchAll(QUOTED)].map((q) => unquote(q[1] ?? ""));
  const fdArg = /^(-?\d+)[,)]?/.exec(args.trim());
  return {
    pid,
    name,
    args,
    ret: m[2] === "?" ? -1 : Number(m[2]),
    errno: m[3],
    start,
    end,
    paths,
    fd: fdArg === null ? undefined : Number(fdArg[1]),
    fdPath: undefined,
  };
}

/** Parse a whole trace; events are returned in order of return. */
export function parseStrace(text: string): Syscall[] {
  const events: Syscall[] = [];
  const pending = new Map<number, { name: string; body: string; start: number }>();
  const lines = text.split("\n");
  lines.forEach((raw, index) => {
    const lm = LINE.exec(raw);
    if (lm === null) return;
    const pid = Number(lm[1]);
    const rest = lm[2] ?? "";
    const resumed = RESUMED.exec(rest);
    if (resumed !== null) {
      const open = pending.get(pid);
      pending.delete(pid);
      if (open === undefined) return;
      const ev = finish(pid, open.name, open.body + (resumed[2] ?? ""), open.start, index);
      if (ev !== undefined) events.push(ev);
      return;
    }
    const call = CALL.exec(rest);
    if (call === null) return; // signals, exits
    const name = call[1] ?? "";
    const body = call[2] ?? "";
    if (body.endsWith("<unfinished ...>")) {
      pending.set(pid, { name, body: body.slice(0, -"<unfinished ...>".length).trimEnd(), start: index });
      return;
    }
    const ev = finish(pid, name, body, index, index);
    if (ev !== undefined) events.push(ev);
  });
  // Name descriptors: walk in order of return, following opens and closes.
  const open = new Map<number, string>();
  for (const ev of events) {
    if (ev.fd !== undefined && !ev.name.startsWith("open")) ev.fdPath = open.get(ev.fd);
    if ((ev.name === "openat" || ev.name === "open" || ev.name === "creat") && ev.ret >= 0) open.set(ev.ret, ev.paths[0] ?? "");
    if (ev.name === "close" && ev.fd !== undefined) open.delete(ev.fd);
  }
  return events;
}

/** The open flags of an `openat`/`open` event, as names. */
export function openFlags(ev: Syscall): Set<string> {
  const m = /"(?:[^"\\]|\\.)*",\s*([A-Z_|0-9]+)/.exec(ev.args);
  return new Set((m?.[1] ?? "").split("|"));
}
