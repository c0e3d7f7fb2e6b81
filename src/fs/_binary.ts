/**
 * Which native binary fits this runtime, and, when none loads, the one thing
 * to do about it. Everything here is a pure function of facts (the runtime's
 * C library, the binaries shipped and built, the tools on PATH); _native.ts
 * gathers the facts.
 */

/** The C library a Linux process runs on. */
export type Libc = "glibc" | "musl";

/**
 * The C library a Linux process runs on, from its own memory map
 * (/proc/self/maps): musl's loader is its libc, mapped under its real name
 * (`ld-musl-x86_64.so.1` on Alpine; on Debian and Void a link to
 * `libc.so`, the name the map shows, which on glibc is a linker script
 * and never mapped); glibc maps `libc.so.6`. null when neither is mapped (a
 * static binary, or no /proc).
 */
export function libcFromMaps(maps: string): Libc | null {
  if (/\/(ld-musl-[^/\s]+\.so\.1|libc\.musl-[^/\s]+\.so\.1|libc\.so)$/m.test(maps)) return "musl";
  if (/\/libc\.so\.6$|\/libc-2\.[0-9]+\.so$/m.test(maps)) return "glibc";
  return null;
}

/**
 * The C library from a diagnostic report's header, as Node writes it: a
 * glibc build always records `glibcVersionRuntime`, a musl build never does.
 * Deno's report is a fixed stand-in (it names a glibc even on musl), so it
 * says nothing there: null.
 */
export function libcFromReport(header: Readonly<Record<string, unknown>> | undefined, runtime: string): Libc | null {
  if (header === undefined || runtime === "deno") return null;
  return typeof header["glibcVersionRuntime"] === "string" ? "glibc" : "musl";
}

/** The libc tag of a prebuild's file name (`node.napi.musl.node`), or null for none. */
export function libcTag(file: string): Libc | null {
  const tags = (file.split(/[\\/]/).pop() ?? "").split(".");
  if (tags.includes("musl")) return "musl";
  if (tags.includes("glibc")) return "glibc";
  return null;
}

/**
 * The binary to load: `picked` (node-gyp-build's choice, which reads only
 * `LIBC` and /etc/alpine-release), or its sibling built for `libc` when
 * `picked` is built for the other one and the sibling exists. A local build
 * or an untagged file is kept as it is.
 */
export function forLibc(picked: string, libc: Libc | null, exists: (path: string) => boolean): string {
  const tag = libcTag(picked);
  if (libc === null || tag === null || tag === libc) return picked;
  const cut = Math.max(picked.lastIndexOf("/"), picked.lastIndexOf("\\")) + 1;
  const name = picked
    .slice(cut)
    .split(".")
    .map((t) => (t === tag ? libc : t))
    .join(".");
  const sibling = picked.slice(0, cut) + name;
  return exists(sibling) ? sibling : picked;
}

/** The package managers whose way of approving install scripts differs. */
export type PackageManager = "npm" | "pnpm" | "yarn" | "bun";

/** What is known when the binary does not load. */
export interface BinaryFacts {
  readonly platform: string;
  readonly arch: string;
  /** The C library the runtime uses (Linux), or null when it cannot be told or does not apply. */
  readonly libc: Libc | null;
  /** The `LIBC` variable, when set. */
  readonly libcOverride: string | null;
  /** The file that failed to load, or null when none was found. */
  readonly picked: string | null;
  /** The prebuild file names shipped for this platform and architecture. */
  readonly prebuilds: readonly string[];
  /** build/: absent (no install script ever built here), present without a binary, or with one. */
  readonly localBuild: "none" | "failed" | "built";
  /** `npm_config_ignore_scripts` is set: npm was told to skip install scripts. */
  readonly scriptsIgnored: boolean;
  /** The package manager that installed the package, when it can be told. */
  readonly packageManager: PackageManager | null;
  /** The build tools a compile needs that are not on PATH; null when that cannot be checked (Windows). */
  readonly missingTools: readonly string[] | null;
}

/** The cause, in one sentence, and the one fix that applies. */
export interface BinaryDiagnosis {
  /** Stable: `libc_mismatch`, `libc_unknown`, `no_toolchain`, `scripts_not_run`, `needs_rebuild`. */
  readonly kind: "libc_mismatch" | "libc_unknown" | "no_toolchain" | "scripts_not_run" | "needs_rebuild";
  readonly cause: string;
  readonly fix: string;
}

const PACKAGE = "exlab-cache";

/** How to install the build tools a compile needs on `platform`. */
function toolchainFix(platform: string, missing: readonly string[]): string {
  if (platform === "darwin") return "install the Xcode command line tools (`xcode-select --install`)";
  if (platform === "win32") return "install Python 3 and the Visual Studio Build Tools with the C++ workload";
  return `install ${missing.join(", ")} (Debian/Ubuntu: \`apt-get install python3 make gcc\`; Alpine: \`apk add python3 make gcc musl-dev\`)`;
}

/** The command that runs the package's install script again, which compiles the binary. */
function rebuild(f: BinaryFacts): string {
  if (f.packageManager === "pnpm") return `\`pnpm rebuild ${PACKAGE}\``;
  if (f.packageManager === "yarn") return `\`yarn rebuild ${PACKAGE}\``;
  return `\`npm rebuild ${PACKAGE}${f.scriptsIgnored ? " --ignore-scripts=false" : ""}\``;
}

/** How to let the package's install script run, for the package manager that skipped it. */
function approveScripts(f: BinaryFacts): string {
  switch (f.packageManager) {
    case "pnpm":
      return `approve its build script (\`pnpm approve-builds\`, or list ${PACKAGE} in onlyBuiltDependencies), then \`pnpm rebuild ${PACKAGE}\``;
    case "bun":
      return `trust its install script: \`bun pm trust ${PACKAGE}\` (adds it to trustedDependencies and runs it)`;
    case "yarn":
      return `allow its build (\`dependenciesMeta: { "${PACKAGE}": { "built": true } }\` in package.json, and enableScripts not false), then \`yarn rebuild ${PACKAGE}\``;
    default:
      return f.scriptsIgnored
        ? `run its install script, which npm was told to skip: \`npm rebuild ${PACKAGE} --ignore-scripts=false\``
        : `approve its install script (\`npm approve-scripts ${PACKAGE}\`, or \`"allowScripts": { "${PACKAGE}": true }\` in package.json) and run it: \`npm rebuild ${PACKAGE} --ignore-scripts=false\``;
  }
}

/**
 * The cause of a binary that does not load, and the one fix, from the facts
 * alone. In order: a prebuild for the other C library was loaded (`LIBC=`);
 * the C library is unknown and the other prebuild exists (`LIBC=`); nothing
 * usable is shipped, so a compile is needed, and the tools for it are
 * missing (the toolchain), or the install script never ran (approve it), or
 * it ran and must run again (`npm rebuild exlab-cache`).
 *
 * @example
 * ```ts
 * diagnoseBinary({ ...facts, libc: "musl", picked: ".../node.napi.glibc.node" }).fix; // "set `LIBC=musl` ..."
 * ```
 */
export function diagnoseBinary(f: BinaryFacts): BinaryDiagnosis {
  const where = `${f.platform}-${f.arch}`;
  const pickedLibc = f.picked === null ? null : libcTag(f.picked);
  const shippedFor = (libc: Libc): boolean => f.prebuilds.some((p) => libcTag(p) === libc);

  // A prebuild for the other C library, or LIBC naming one there is none for.
  const wrongPick = pickedLibc !== null && f.libc !== null && pickedLibc !== f.libc;
  const wrongOverride = f.picked === null && f.libcOverride !== null && f.libc !== null && f.libcOverride !== f.libc;
  if ((wrongPick || wrongOverride) && f.libc !== null && shippedFor(f.libc)) {
    const what = wrongPick ? `the ${pickedLibc} prebuild was loaded` : `no prebuild matches LIBC=${f.libcOverride}`;
    const set = f.libcOverride !== null ? `LIBC=${f.libcOverride} is set` : "node-gyp-build found no /etc/alpine-release";
    return {
      kind: "libc_mismatch",
      cause: `this runtime uses ${f.libc}, but ${what} (${set})`,
      fix:
        f.libcOverride !== null
          ? `set \`LIBC=${f.libc}\`, or unset LIBC: the ${f.libc} prebuild is picked by itself`
          : `set \`LIBC=${f.libc}\` in the environment`,
    };
  }
  if (pickedLibc !== null && f.libc === null) {
    const other: Libc = pickedLibc === "glibc" ? "musl" : "glibc";
    if (shippedFor(other)) {
      return {
        kind: "libc_unknown",
        cause: `the ${pickedLibc} prebuild did not load, and this runtime's C library could not be told`,
        fix: `set \`LIBC=${other}\` in the environment if this system's C library is ${other}${other === "musl" ? " (Alpine, Void musl, many containers)" : ""}`,
      };
    }
  }

  // Nothing shipped loads here: the binary must be compiled on this machine.
  const shipped = f.prebuilds.length === 0 ? `no prebuilt binary ships for ${where}` : f.picked === null ? `no prebuilt binary for ${where} fits this runtime` : `${f.picked} does not load here`;
  if (f.missingTools !== null && f.missingTools.length > 0) {
    return {
      kind: "no_toolchain",
      cause: `${shipped}, and compiling one needs ${f.missingTools.join(", ")}, not found on PATH`,
      fix: `${toolchainFix(f.platform, f.missingTools)}, then run ${rebuild(f)}`,
    };
  }
  if (f.picked === null && f.localBuild === "none") {
    return {
      kind: "scripts_not_run",
      cause: `${shipped}, and the package's install script, which compiles one, never ran (${f.scriptsIgnored ? "npm_config_ignore_scripts is set" : "there is no build/ folder"})`,
      fix: approveScripts(f),
    };
  }
  return {
    kind: "needs_rebuild",
    cause: f.localBuild === "failed" ? `${shipped}, and the last compile left no binary in build/` : `${shipped}; a compile on this machine makes one that does`,
    fix: `run ${rebuild(f)}${f.missingTools === null ? ` (it needs ${f.platform === "win32" ? "Python 3 and the Visual Studio Build Tools" : "Python 3, make and a C compiler"})` : ""}`,
  };
}
