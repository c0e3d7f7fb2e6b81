/*
 * lock_posix.c: the sidecar lock on Linux, macOS and the BSDs, as flock(2).
 *
 * It does four things and nothing else: try to take the lock without waiting,
 * release it, tell whether an open descriptor is still the file at a path, and
 * wait for the lock on a dedicated thread that can be cancelled. Queueing,
 * timeouts and retries live in TypeScript (src/fs/lock.ts).
 *
 * Why a dedicated thread and not libuv's pool: a blocking flock(2) parked on
 * the pool occupies one of its few workers for as long as the peer holds the
 * lock. With enough waiters every fs call in the process stalls behind them,
 * and two processes that each hold one lock and wait for another can deadlock
 * through their pools. A thread of our own blocks nothing else.
 *
 * How a waiter waits, and is woken to cancel it (flock(2) has no timeout):
 *
 *   "signal"       the thread blocks in flock(fd, LOCK_EX). Cancelling sends
 *                  it a real-time signal whose handler does nothing and is
 *                  installed without SA_RESTART, so the blocked flock returns
 *                  EINTR and the thread sees the cancel flag (the technique
 *                  util-linux `flock -w` uses with SIGALRM). The kernel hands
 *                  the lock over the moment it is free.
 *   "poll-thread"  the thread retries flock(fd, LOCK_EX | LOCK_NB) with a
 *                  backoff from 0.1 ms to 4 ms, sleeping on a condition
 *                  variable that a cancel signals. Used where there are no
 *                  real-time signals (macOS), when built with
 *                  -DEXLAB_NO_RT_SIGNALS (how Linux CI proves that path), and
 *                  when every real-time signal is taken at run time.
 *
 * When no thread can be started at all (EAGAIN under a process limit),
 * waitLock says so and the TypeScript side polls on timers instead.
 */
#define _GNU_SOURCE
#include "exlab.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#if defined(SIGRTMIN) && !defined(EXLAB_NO_RT_SIGNALS)
#define EXLAB_HAVE_WAKE_SIGNAL 1
#else
#define EXLAB_HAVE_WAKE_SIGNAL 0
#endif

/* Backoff of the polling waiter, in nanoseconds: short enough that a lock
 * released by a peer is taken within a few milliseconds, long enough that a
 * waiter behind a long hold costs next to nothing. */
#define POLL_FIRST_NS 100000L
#define POLL_MAX_NS 4000000L

napi_value exlab_try_lock(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int fd;
  if (!exlab_arg_fd(env, info, 1, argv, &fd)) return NULL;
  for (;;) {
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) return exlab_int(env, 0);
    if (errno != EINTR) break;
  }
  return exlab_int(env, errno == EAGAIN ? EWOULDBLOCK : errno);
}

napi_value exlab_unlock(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int fd;
  if (!exlab_arg_fd(env, info, 1, argv, &fd)) return NULL;
  return exlab_int(env, flock(fd, LOCK_UN) == 0 ? 0 : errno);
}

/* 0 when fd is a regular file and is the very inode that `path` names now
 * (without following a final symlink); ESTALE when the path names something
 * else; EINVAL for a non-regular file or a path with a NUL byte; otherwise
 * the errno of lstat (ENOENT when a peer removed it, ENAMETOOLONG...). A lock
 * taken on an inode that is no longer at the path excludes nobody. */
napi_value exlab_same_file(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int fd;
  struct stat a, b;
  char *path;
  size_t len = 0;
  int rc;
  if (!exlab_arg_fd(env, info, 2, argv, &fd)) return NULL;
  /* Any length: a path the OS refuses as too long is the OS's answer
   * (ENAMETOOLONG), not a usage error. */
  if (napi_get_value_string_utf8(env, argv[1], NULL, 0, &len) != napi_ok) {
    napi_throw_type_error(env, "EXLAB_NATIVE", "exlab: path must be a string");
    return NULL;
  }
  path = (char *)malloc(len + 1);
  if (path == NULL) return exlab_int(env, ENOMEM);
  napi_get_value_string_utf8(env, argv[1], path, len + 1, &len);
  if (strlen(path) != len) rc = EINVAL; /* an embedded NUL would name another file */
  else if (fstat(fd, &a) != 0) rc = errno;
  else if (!S_ISREG(a.st_mode)) rc = EINVAL;
  else if (lstat(path, &b) != 0) rc = errno;
  else rc = (a.st_dev == b.st_dev && a.st_ino == b.st_ino) ? 0 : ESTALE;
  free(path);
  return exlab_int(env, rc);
}

#if EXLAB_HAVE_WAKE_SIGNAL
static int wake_signal = -1;
static pthread_once_t wake_once = PTHREAD_ONCE_INIT;

static void on_wake(int sig) { (void)sig; }

/* Claim the first real-time signal nobody has a handler for. Without a free
 * one, waiters poll instead (see the top of this file). */
static void install_wake_signal(void) {
  int sig;
  for (sig = SIGRTMIN + 4; sig <= SIGRTMAX - 2; sig++) {
    struct sigaction old, sa;
    if (sigaction(sig, NULL, &old) != 0) continue;
    if ((old.sa_flags & SA_SIGINFO) || old.sa_handler != SIG_DFL) continue;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_wake;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: the blocked flock must return EINTR */
    if (sigaction(sig, &sa, NULL) == 0) {
      wake_signal = sig;
      return;
    }
  }
}
#define WAKE_SIGNAL_READY() (wake_signal > 0)
#else
#define WAKE_SIGNAL_READY() 0
#endif

typedef struct waiter {
  pthread_t thread;
  int fd;
  int by_signal; /* fixed at creation: which of the two ways this thread waits */
  /* Set under `mu` (and, for a signal waiter, read by its thread between
   * flock calls, hence sig_atomic_t). */
  volatile sig_atomic_t cancelled;
  volatile sig_atomic_t exited; /* set by the thread just before it returns */
  pthread_mutex_t mu;
  pthread_cond_t wake; /* a polling waiter sleeps on it between tries */
  int wake_monotonic;  /* whether `wake` runs on CLOCK_MONOTONIC */
  int result;
  int joined;  /* JS thread only */
  int refs;    /* the JS handle and the pending completion; JS thread only */
  struct waiter *prev, *next; /* the environment's live list; JS thread only */
  struct live_list *list;
  napi_threadsafe_function tsfn;
  exlab_then then; /* run is NULL for a plain waitLock */
} waiter;

/* The waiters of one Node environment (the main thread or a worker), so that
 * its teardown can stop and join them: a thread still waiting when the addon
 * is unloaded would return into freed code. */
typedef struct live_list {
  waiter *head;
} live_list;

static void live_remove(waiter *w) {
  if (w->list == NULL) return;
  if (w->prev != NULL) w->prev->next = w->next;
  else w->list->head = w->next;
  if (w->next != NULL) w->next->prev = w->prev;
  w->prev = w->next = NULL;
  w->list = NULL;
}

static void waiter_unref(waiter *w) {
  if (--w->refs != 0) return;
  if (w->then.dispose != NULL) w->then.dispose(w->then.ctx);
  pthread_cond_destroy(&w->wake);
  pthread_mutex_destroy(&w->mu);
  free(w);
}

static void waiter_join(waiter *w) {
  if (!w->joined) {
    pthread_join(w->thread, NULL);
    w->joined = 1;
  }
}

/* The condition variable's clock: monotonic where it can be chosen, so a
 * wall-clock step cannot stretch a sleep. macOS cannot choose, and has a
 * relative wait instead (below). */
static int wake_cond_init(waiter *w) {
#if !defined(__APPLE__) && defined(CLOCK_MONOTONIC)
  pthread_condattr_t attr;
  int rc;
  if (pthread_condattr_init(&attr) == 0) {
    w->wake_monotonic = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) == 0;
    rc = pthread_cond_init(&w->wake, &attr);
    pthread_condattr_destroy(&attr);
    if (rc == 0) return 0;
  }
  w->wake_monotonic = 0;
#endif
  return pthread_cond_init(&w->wake, NULL) == 0 ? 0 : -1;
}

/* Sleep up to `ns` on the waiter's condition variable, or until cancelled.
 * Called and returns with `mu` held. */
static void sleep_or_cancel(waiter *w, long ns) {
#if defined(__APPLE__)
  struct timespec rel = {0, ns};
  if (!w->cancelled) pthread_cond_timedwait_relative_np(&w->wake, &w->mu, &rel);
#else
  struct timespec until;
#if defined(CLOCK_MONOTONIC)
  clock_gettime(w->wake_monotonic ? CLOCK_MONOTONIC : CLOCK_REALTIME, &until);
#else
  clock_gettime(CLOCK_REALTIME, &until);
#endif
  until.tv_nsec += ns;
  if (until.tv_nsec >= 1000000000L) {
    until.tv_sec += 1;
    until.tv_nsec -= 1000000000L;
  }
  /* A spurious wake-up only means an early retry. */
  if (!w->cancelled) pthread_cond_timedwait(&w->wake, &w->mu, &until);
#endif
}

/* "poll-thread": try without blocking, back off, repeat until granted,
 * failed or cancelled. The lock is never taken after the cancel was seen. */
static int wait_by_polling(waiter *w) {
  long ns = POLL_FIRST_NS;
  int err;
  pthread_mutex_lock(&w->mu);
  for (;;) {
    if (w->cancelled) { err = ECANCELED; break; }
    if (flock(w->fd, LOCK_EX | LOCK_NB) == 0) { err = 0; break; }
    if (errno != EWOULDBLOCK && errno != EAGAIN && errno != EINTR) { err = errno; break; }
    sleep_or_cancel(w, ns);
    ns = ns * 2 < POLL_MAX_NS ? ns * 2 : POLL_MAX_NS;
  }
  pthread_mutex_unlock(&w->mu);
  return err;
}

#if EXLAB_HAVE_WAKE_SIGNAL
/* "signal": block in flock; a cancel interrupts it with the wake signal. */
static int wait_by_signal(waiter *w) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, wake_signal);
  pthread_sigmask(SIG_UNBLOCK, &set, NULL);
  for (;;) {
    if (w->cancelled) return ECANCELED;
    if (flock(w->fd, LOCK_EX) == 0) {
      if (w->cancelled) {
        flock(w->fd, LOCK_UN);
        return ECANCELED;
      }
      return 0;
    }
    if (errno != EINTR) return errno;
  }
}
#endif

static void *waiter_main(void *arg) {
  waiter *w = (waiter *)arg;
#ifdef __linux__
  pthread_setname_np(pthread_self(), "exlab-flock"); /* visible in /proc/<pid>/task/<tid>/comm */
#endif
#if EXLAB_HAVE_WAKE_SIGNAL
  w->result = w->by_signal ? wait_by_signal(w) : wait_by_polling(w);
#else
  w->result = wait_by_polling(w);
#endif
  if (w->result == 0 && w->then.run != NULL) {
#if EXLAB_HAVE_WAKE_SIGNAL
    /* The wait is over: a cancel from here on must not interrupt the work
     * (the JS side hands a grant it no longer wants straight back). */
    if (w->by_signal) {
      sigset_t set;
      sigemptyset(&set);
      sigaddset(&set, wake_signal);
      pthread_sigmask(SIG_BLOCK, &set, NULL);
    }
#endif
    w->then.run(w->then.ctx, w->fd);
  }
  napi_call_threadsafe_function(w->tsfn, w, napi_tsfn_blocking);
  napi_release_threadsafe_function(w->tsfn, napi_tsfn_release);
  w->exited = 1;
  return NULL;
}

/* Ask the waiter to stop. Returns 1 when the request can be lost (a signal
 * sent just before the thread enters flock) and must be repeated until the
 * completion runs; 0 when it cannot be lost. */
static int waiter_cancel(waiter *w) {
  pthread_mutex_lock(&w->mu);
  w->cancelled = 1;
  pthread_cond_signal(&w->wake);
  pthread_mutex_unlock(&w->mu);
#if EXLAB_HAVE_WAKE_SIGNAL
  if (w->by_signal) {
    pthread_kill(w->thread, wake_signal);
    return 1;
  }
#endif
  return 0;
}

/* Runs on the JS thread; env is NULL when the environment is going away. */
static void waiter_complete(napi_env env, napi_value js_cb, void *ctx, void *data) {
  waiter *w = (waiter *)data;
  (void)ctx;
  waiter_join(w);
  live_remove(w);
  if (env != NULL && js_cb != NULL) {
    napi_value undef, arg = NULL;
    if (napi_get_undefined(env, &undef) == napi_ok) {
      if (w->then.result != NULL) arg = w->then.result(env, w->then.ctx, w->result);
      else if (napi_create_int32(env, w->result, &arg) != napi_ok) arg = NULL;
      if (arg == NULL) arg = undef;
      napi_call_function(env, undef, js_cb, 1, &arg, NULL);
    }
  }
  waiter_unref(w);
}

static void handle_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  waiter_unref((waiter *)data);
}

/* Environment teardown (process exit, worker.terminate()): cancel every live
 * waiter and join its thread before the addon can be unloaded. Memory of a
 * waiter whose completion never runs is left behind; that is bounded by the
 * waits in flight at teardown. */
static void live_cleanup(void *arg) {
  live_list *list = (live_list *)arg;
  waiter *w;
  for (w = list->head; w != NULL; w = w->next) {
    while (waiter_cancel(w) && !w->exited) {
      struct timespec pause = {0, 1000000};
      nanosleep(&pause, NULL);
    }
    waiter_join(w);
  }
  /* Unlink without freeing: pending completions may still run with env NULL. */
  while (list->head != NULL) live_remove(list->head);
  free(list);
}

/* Every POSIX waiter can block on a thread of its own; only starting the
 * thread can fail, and waitLock reports that per call. */
int exlab_lock_can_wait(void) { return 1; }

const char *exlab_lock_wait_method(void) {
  return WAKE_SIGNAL_READY() ? "signal" : "poll-thread";
}

/* Per environment: the live list and the hook that empties it at teardown. */
int exlab_lock_init_env(napi_env env) {
  live_list *list;
#if EXLAB_HAVE_WAKE_SIGNAL
  pthread_once(&wake_once, install_wake_signal);
#endif
  list = (live_list *)calloc(1, sizeof *list);
  if (list == NULL) return 0;
  if (napi_set_instance_data(env, list, NULL, NULL) != napi_ok ||
      napi_add_env_cleanup_hook(env, live_cleanup, list) != napi_ok) {
    free(list);
    return 0;
  }
  return 1;
}

/* waitLock(fd, callback) -> handle, or an errno (a number) when no waiter
 * could be started (EAGAIN: no thread left under a process limit; ENOMEM),
 * in which case the callback never runs and the caller polls instead.
 * callback(errno) runs on the JS thread: 0 when the lock is held, ECANCELED
 * after cancelWait, another errno on failure. The descriptor must stay open
 * until the callback has run. */
napi_value exlab_wait_lock(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int fd;
  if (!exlab_arg_fd(env, info, 2, argv, &fd)) return NULL;
  return exlab_start_wait(env, fd, argv[1], NULL);
}

napi_value exlab_start_wait(napi_env env, int fd, napi_value callback, const exlab_then *then) {
  napi_value name, handle;
  int rc;
  void *data = NULL;
  live_list *list;
  waiter *w;
  sigset_t all, old;
  pthread_attr_t attr;
  if (napi_get_instance_data(env, &data) != napi_ok || data == NULL) {
    if (then != NULL && then->dispose != NULL) then->dispose(then->ctx);
    napi_throw_error(env, "EXLAB_NATIVE", "exlab: the lock backend is not initialised");
    return NULL;
  }
  w = (waiter *)calloc(1, sizeof *w);
  if (w == NULL || pthread_mutex_init(&w->mu, NULL) != 0) {
    free(w);
    if (then != NULL && then->dispose != NULL) then->dispose(then->ctx);
    return exlab_int(env, ENOMEM);
  }
  if (wake_cond_init(w) != 0) {
    pthread_mutex_destroy(&w->mu);
    free(w);
    if (then != NULL && then->dispose != NULL) then->dispose(then->ctx);
    return exlab_int(env, ENOMEM);
  }
  if (then != NULL) w->then = *then;
  w->fd = fd;
  w->by_signal = WAKE_SIGNAL_READY();
  w->refs = 2;
  if (napi_create_string_utf8(env, "exlab-cache:flock-wait", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_threadsafe_function(env, callback, NULL, name, 0, 1, NULL, NULL, NULL,
                                      waiter_complete, &w->tsfn) != napi_ok) {
    w->refs = 1;
    waiter_unref(w);
    napi_throw_error(env, "EXLAB_NATIVE", "exlab: cannot create completion callback");
    return NULL;
  }
  if (napi_create_external(env, w, handle_finalize, NULL, &handle) != napi_ok) {
    napi_release_threadsafe_function(w->tsfn, napi_tsfn_abort);
    w->refs = 1;
    waiter_unref(w);
    napi_throw_error(env, "EXLAB_NATIVE", "exlab: cannot create wait handle");
    return NULL;
  }
  /* The thread starts with every signal blocked (a signal waiter unblocks
   * only ours), so process signals (SIGINT, SIGCHLD...) keep going to the
   * threads that expect them. */
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 64 * 1024);
  rc = pthread_create(&w->thread, &attr, waiter_main, w);
  pthread_attr_destroy(&attr);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (rc != 0) {
    napi_release_threadsafe_function(w->tsfn, napi_tsfn_abort);
    w->refs = 1; /* only the JS handle remains; its finalizer frees */
    w->joined = 1;
    w->exited = 1;
    return exlab_int(env, rc);
  }
  list = (live_list *)data;
  w->list = list;
  w->next = list->head;
  if (list->head != NULL) list->head->prev = w;
  list->head = w;
  return handle;
}

/* cancelWait(handle) -> 1 while the request may be lost and must be repeated
 * until the callback fires (a signal that lands just before flock() is
 * entered is lost), else 0. Safe to call repeatedly. */
napi_value exlab_cancel_wait(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  void *data = NULL;
  waiter *w;
  EXLAB_CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || napi_get_value_external(env, argv[0], &data) != napi_ok || data == NULL) {
    napi_throw_type_error(env, "EXLAB_NATIVE", "exlab: expected a wait handle");
    return NULL;
  }
  w = (waiter *)data;
  if (w->joined || w->exited) return exlab_int(env, 0);
  return exlab_int(env, waiter_cancel(w));
}
