/**
 * Loads the platform lock backend (native/flock.c) on first use, so that a
 * program that only reads cache files never needs it.
 */
import { createRequire } from "node:module";

/** The addon's surface; see native/flock.c for each call's contract. */
export interface FlockBackend {
  tryLock(fd: number): number;
  unlock(fd: number): number;
  sameFile(fd: number, path: string): number;
  waitLock(fd: number, done: (errno: number) => void): object;
  cancelWait(handle: object): number;
  readonly canWait: boolean;
  readonly errno: {
    readonly EWOULDBLOCK: number;
    readonly ECANCELED: number;
    readonly ESTALE: number;
    readonly ENOENT: number;
    readonly EINVAL: number;
  };
}

let backend: FlockBackend | undefined;

/** The loaded backend (loaded once per process). */
export function flockBackend(): FlockBackend {
  backend ??= createRequire(import.meta.url)("../../build/Release/exlab_flock.node") as FlockBackend;
  return backend;
}
