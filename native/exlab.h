/*
 * exlab.h: the private contract between the Node-API glue (binding.c) and the
 * platform backends.
 *
 *   lock_posix.c / lock_win32.c   take, wait for and release the sidecar lock
 *   io_posix.c   / io_win32.c     the batched replace and bounded read jobs
 *
 * binding.gyp picks one file of each pair per OS. Everything a backend cannot
 * do is reported as a capability (exlab_lock_can_wait) so the TypeScript
 * policy layer adapts; a backend never pretends.
 */
#ifndef EXLAB_H
#define EXLAB_H

#include <node_api.h>
#include <errno.h>
#include <stddef.h>

/* Numbers the JavaScript side compares against (exported as `errno`). MinGW
 * and old libcs lack some of them; the values are Linux's. */
#ifndef ECANCELED
#define ECANCELED 125
#endif
#ifndef ESTALE
#define ESTALE 116
#endif
#ifndef EWOULDBLOCK
#define EWOULDBLOCK EAGAIN
#endif

#define EXLAB_CHECK(env, call)                                                 \
  do {                                                                         \
    if ((call) != napi_ok) {                                                   \
      napi_throw_error((env), "EXLAB_NATIVE", "exlab: " #call " failed");      \
      return NULL;                                                             \
    }                                                                          \
  } while (0)

static inline napi_value exlab_int(napi_env env, int v) {
  napi_value out;
  if (napi_create_int32(env, v, &out) != napi_ok) return NULL;
  return out;
}

/* Reads `want` arguments, the first a non-negative descriptor. 0 (with a
 * pending TypeError) when they are not there. */
static inline int exlab_arg_fd(napi_env env, napi_callback_info info, size_t want,
                               napi_value *argv, int *fd) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < want) {
    napi_throw_type_error(env, "EXLAB_NATIVE", "exlab: missing argument");
    return 0;
  }
  if (napi_get_value_int32(env, argv[0], fd) != napi_ok || *fd < 0) {
    napi_throw_type_error(env, "EXLAB_NATIVE", "exlab: fd must be a non-negative integer");
    return 0;
  }
  return 1;
}

/* ---- the lock backend (lock_posix.c, lock_win32.c) ---- */

/* Per Node environment (main thread, each worker). 0 on failure. */
int exlab_lock_init_env(napi_env env);
/* Whether exlab_wait_lock can block on a thread of its own. */
int exlab_lock_can_wait(void);
/* How waits wait, exported as `waitMethod`: "signal" (blocking flock woken by
 * a real-time signal), "poll-thread" (a thread retrying a non-blocking lock
 * with backoff, woken through a condition variable) or "poll" (no thread:
 * the TypeScript side polls). */
const char *exlab_lock_wait_method(void);
/* tryLock(fd) -> 0 | EWOULDBLOCK | errno */
napi_value exlab_try_lock(napi_env env, napi_callback_info info);
/* unlock(fd) -> 0 | errno */
napi_value exlab_unlock(napi_env env, napi_callback_info info);
/* sameFile(fd, path) -> 0 | ESTALE | EINVAL | errno */
napi_value exlab_same_file(napi_env env, napi_callback_info info);
/* waitLock(fd, callback(errno)) -> handle, or an errno when no waiter could
 * be started (the callback then never runs; the caller polls) */
napi_value exlab_wait_lock(napi_env env, napi_callback_info info);
/* cancelWait(handle) -> 1 while the request may be lost and must be repeated, else 0 */
napi_value exlab_cancel_wait(napi_env env, napi_callback_info info);

/* ---- the batched I/O jobs (io_posix.c, io_win32.c) ---- */

/* Adds replaceFile/readFile to `exports` where the platform has them. */
void exlab_io_register(napi_env env, napi_value exports);

#endif
