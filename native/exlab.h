/*
 * exlab.h: the private contract between the Node-API glue (binding.c) and the
 * platform backends.
 *
 *   lock_posix.c / lock_win32.c   take, wait for and release the sidecar lock
 *   io_posix.c   / io_win32.c     the batched replace and bounded read jobs
 *   pipeline_posix.c              a locked write in two jobs (POSIX only)
 *   fd_posix.c                    closing and comparing the addon's descriptors (POSIX only)
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

/* Queue `data` as one job on libuv's thread pool and return the promise its
 * `complete` settles. NULL, with a pending error, when the job could not be
 * created or queued: nothing runs, and the caller still owns (and frees)
 * `data`. */
static inline napi_value exlab_queue_job(napi_env env, const char *name, napi_async_execute_callback execute,
                                         napi_async_complete_callback complete, void *data,
                                         napi_deferred *deferred, napi_async_work *work) {
  napi_value promise, resource;
  if (napi_create_promise(env, deferred, &promise) != napi_ok ||
      napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &resource) != napi_ok ||
      napi_create_async_work(env, NULL, resource, execute, complete, data, work) != napi_ok) {
    napi_throw_error(env, "EXLAB_NATIVE", "exlab: cannot create the job");
    return NULL;
  }
  if (napi_queue_async_work(env, *work) != napi_ok) {
    napi_delete_async_work(env, *work);
    napi_throw_error(env, "EXLAB_NATIVE", "exlab: cannot queue the job");
    return NULL;
  }
  return promise;
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

/* Work a lock waiter does on its own thread once it holds the lock, so that
 * the caller's next step costs no further hand-off (pipeline_posix.c). */
typedef struct exlab_then {
  /* On the waiter thread, the lock held and no cancel pending. */
  void (*run)(void *ctx, int fd);
  /* On the JS thread: the callback's argument, given the wait's errno
   * (0 when run ran). NULL makes the callback get undefined. */
  napi_value (*result)(napi_env env, void *ctx, int err);
  /* Frees ctx; called exactly once, on the JS thread. */
  void (*dispose)(void *ctx);
  void *ctx;
} exlab_then;

/* Starts a waiter for the lock on fd as waitLock does; `then` (copied; may be
 * NULL) runs on its thread after the lock is granted. Returns the handle for
 * cancelWait; an errno (a number) when no waiter could be started, and the
 * callback never runs; or NULL with a pending exception. In the last two
 * cases `then` is disposed of (at once, or when the handle is collected). */
napi_value exlab_start_wait(napi_env env, int fd, napi_value callback, const exlab_then *then);

/* ---- the batched I/O jobs (io_posix.c, io_win32.c) ---- */

/* Adds replaceFile/readFile to `exports` where the platform has them. */
void exlab_io_register(napi_env env, napi_value exports);

/* What one I/O sequence of io_posix.c reports: err 0, or the errno of the
 * failed `step`; for a bounded read the kind found and the bytes. */
enum { EXLAB_KIND_FILE = 0, EXLAB_KIND_DIRECTORY = 1, EXLAB_KIND_SPECIAL = 2, EXLAB_KIND_TOO_LARGE = 3 };
typedef struct exlab_io {
  int err;
  const char *step;
  int kind;
  double size; /* too large: the size seen */
  char *data;  /* a regular file: its bytes (malloc'd, the caller frees) */
  size_t len;
  int has_stat; /* bounded read: the fstat below was taken */
  double st_mode, st_uid, st_gid;
} exlab_io;

/* The replace recipe: open tmp O_EXCL, [keep: fchown, fchmod to the replaced
 * file's owner, group and mode], write, fsync, close, rename over path, fsync
 * dir. On a failure before the rename the temp file is removed. */
struct stat;
void exlab_replace(exlab_io *io, const char *tmp, const char *path, const char *dir,
                   const char *data, size_t len, int mode, int durable, const struct stat *keep);
/* The bounded read: open O_NOFOLLOW|O_NONBLOCK, fstat, read to the size. */
void exlab_read_bounded(exlab_io *io, const char *path, size_t max);
/* Sets errno, step, kind, size, the stat (mode, uid, gid) when taken and
 * (with_data, a regular file) data on out. */
void exlab_io_to_js(napi_env env, napi_value out, exlab_io *io, int with_data);
/* A malloc'd UTF-8 copy of a JS string, or NULL (with a pending exception). */
char *exlab_dup_string(napi_env env, napi_value v);

/* ---- the write pipeline (pipeline_posix.c; absent on Windows) ---- */

/* Adds lockAndRead/waitAndRead/commit to `exports`. */
void exlab_pipeline_register(napi_env env, napi_value exports);

/* ---- the addon's descriptors (fd_posix.c; absent on Windows, where JS
 * opens every descriptor it locks) ---- */

/* Adds closeFd/sameInode to `exports`. */
void exlab_fd_register(napi_env env, napi_value exports);

#endif
