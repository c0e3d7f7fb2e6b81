/**
 * Real Unix accounts for the shared-tree tests: a group and three users with
 * names unique to this run (two members, one stranger), created with
 * groupadd/useradd and removed when the test ends, pass or fail. Children run
 * as one of them through `setpriv --reuid --regid --init-groups` under a
 * given umask. Needs root (CI runs as root).
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import type { TestContext } from "node:test";
import { finished, startChild, type ChildResult } from "./children.js";

/** One account. */
export interface Account {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

/** The group and its people. */
export interface Lab {
  readonly group: string;
  readonly gid: number;
  readonly alice: Account;
  readonly bob: Account;
  /** Not in the group. */
  readonly stranger: Account;
}

function must(args: string[]): string {
  const r = spawnSync(args[0] ?? "", args.slice(1), { encoding: "utf8" });
  if (r.error !== undefined || r.status !== 0) throw new Error(`${args.join(" ")} failed: ${r.error?.message ?? r.stderr}`);
  return r.stdout.trim();
}

function account(name: string): Account {
  return { name, uid: Number(must(["id", "-u", name])), gid: Number(must(["id", "-g", name])) };
}

/** Create the group and the three users; they are removed when `t` ends. */
export function createLab(t: TestContext): Lab {
  if (process.getuid?.() !== 0) throw new Error("the shared-tree tests create real accounts and must run as root (CI does)");
  const tag = randomBytes(3).toString("hex");
  const group = `exl${tag}`;
  const names = { alice: `exa${tag}`, bob: `exb${tag}`, stranger: `exs${tag}` };
  const made: string[] = [];
  let groupMade = false;
  t.after(() => {
    for (const n of made) spawnSync("userdel", [n]);
    if (groupMade) spawnSync("groupdel", [group]);
  });
  must(["groupadd", group]);
  groupMade = true;
  for (const [who, n] of Object.entries(names)) {
    // Each has a primary group of its own; alice and bob are also in the lab group.
    must(["useradd", "--no-create-home", "--user-group", "--shell", "/usr/sbin/nologin", ...(who === "stranger" ? [] : ["-G", group]), n]);
    made.push(n);
  }
  return {
    group,
    gid: Number(must(["getent", "group", group]).split(":")[2]),
    alice: account(names.alice),
    bob: account(names.bob),
    stranger: account(names.stranger),
  };
}

/** Run `command args` as `who` (with its supplementary groups) under `umask`. */
export function runAs(t: TestContext, who: Account, umask: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<ChildResult> {
  const child = startChild(
    t,
    "setpriv",
    ["--reuid", String(who.uid), "--regid", String(who.gid), "--init-groups", "--", "/bin/sh", "-c", `umask ${umask} && exec "$@"`, "sh", command, ...args],
    { HOME: "/nonexistent", ...env },
  );
  return finished(child);
}
