/*
 * pipeline_posix.c: a locked read-modify-write as two native steps, so the
 * lock is held across two hand-offs between JavaScript and C instead of one
 * per system call.
 *
 *   lockAndRead(lockPath, path, dir, what, maxBytes, sweep) -> Promise<attempt>
 *     One pool job: open the sidecar (O_RDWR|O_CREAT|O_NOFOLLOW), try
 *     flock(LOCK_EX|LOCK_NB). When granted, on the same thread: check that
 *     the locked inode is still the one at lockPath, remove stale temp files
 *     of `path` (sweep), and look at the current file (what 1: read it up to
 *     maxBytes; 2: lstat it, the marker's existence check; 0: nothing).
 *   waitAndRead(fd, lockPath, path, dir, what, maxBytes, sweep, callback) -> handle
 *     For an attempt that found the lock taken: a dedicated waiter thread
 *     (lock_posix.c) blocks in flock and, once it holds the lock, does the
 *     same check, sweep and read itself; callback(attempt) on the JS thread.
 *     cancelWait(handle) cancels it as it does a plain waitLock.
 *   commit(fd, tmp, path, dir, bytes, mode, durable, keepMode, keepUid, keepGid)
 *       -> Promise<{errno, step, retry}>
 *     One pool job: the replace recipe (exlab_replace in io_posix.c), the
 *     temp file given the owner, group and mode the read found (keepMode -1:
 *     a new file, nothing to keep), then flock(LOCK_UN) and close the
 *     sidecar, whatever happened; except when the temp name was taken
 *     (retry 1): nothing was done and the lock is still held, for another
 *     try under a new name.
 *
 * attempt = {state, fd, errno, step, kind, size, data, swept, failed}:
 *   state 0 locked: fd holds the lock; errno/step report a failure of the
 *           work under it (the caller then releases); kind says what the
 *           current file is (below), data its bytes.
 *   state 1 contended: fd is open and unlocked; wait with waitAndRead.
 *   state 2 stale: the sidecar was replaced or removed after we opened it;
 *           fd is closed; start again.
 *   state 3 failed: errno/step; fd is -1, or still open after a failed wait.
 *           Steps of the sidecar's open: "open-sidecar"; "create-sidecar"
 *           (missing, and the folder refused it); "open-sidecar-ro" (refused
 *           read-write, then read-only).
 *   kind: 0 regular file, 1 directory, 2 other non-regular, 3 larger than
 *   maxBytes (size set), 4 absent, 5 symbolic link, 6 not looked at.
 *   swept: the temp names removed (also on failure); failed: the temp name
 *   whose removal failed (step "unlink").
 */
#include "exlab.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif

enum { STATE_LOCKED = 0, STATE_CONTENDED = 1, STATE_STALE = 2, STATE_FAILED = 3 };
enum { KIND_ABSENT = 4, KIND_SYMLINK = 5, KIND_NONE = 6 };
enum { WHAT_NONE = 0, WHAT_READ = 1, WHAT_EXISTS = 2 };

/* Same creation mode as src/fs/_backend-node.ts: 0666, so the umask and
 * default ACLs decide, as for every file a group shares. */
#define SIDECAR_MODE 0666

typedef struct attempt {
  char *lock_path, *path, *dir;
  const char *name; /* the last component of path */
  int what, sweep;
  size_t max;
  int fd, state;
  exlab_io io;
  char **swept;
  size_t n_swept, cap_swept;
  char *failed;
} attempt;

static void attempt_free(void *arg) {
  attempt *a = (attempt *)arg;
  size_t i;
  if (a == NULL) return;
  free(a->lock_path);
  free(a->path);
  free(a->dir);
  free(a->io.data);
  for (i = 0; i < a->n_swept; i++) free(a->swept[i]);
  free(a->swept);
  free(a->failed);
  free(a);
}

static void set_error(attempt *a, const char *step) {
  a->io.err = errno != 0 ? errno : EIO;
  a->io.step = step;
}

static void unlock_close(attempt *a) {
  flock(a->fd, LOCK_UN);
  close(a->fd);
  a->fd = -1;
}

/* `<name>.<random>.tmp` with a non-empty random part of [A-Za-z0-9_-]: the
 * temp files of our writers and of Python's mkstemp(prefix=name+".", suffix=".tmp"),
 * the same rule as isTempFileOf in src/fs/atomic.ts. */
static int is_temp_of(const char *name, const char *entry) {
  size_t n = strlen(name), e = strlen(entry), i;
  if (e < n + 1 + 1 + 4 || strncmp(entry, name, n) != 0 || entry[n] != '.') return 0;
  if (strcmp(entry + e - 4, ".tmp") != 0) return 0;
  for (i = n + 1; i < e - 4; i++) {
    char c = entry[i];
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return 0;
  }
  return 1;
}

static int note_swept(attempt *a, const char *entry) {
  if (a->n_swept == a->cap_swept) {
    size_t cap = a->cap_swept == 0 ? 4 : a->cap_swept * 2;
    char **grown = (char **)realloc(a->swept, cap * sizeof *grown);
    if (grown == NULL) return -1;
    a->swept = grown;
    a->cap_swept = cap;
  }
  if ((a->swept[a->n_swept] = strdup(entry)) == NULL) return -1;
  a->n_swept++;
  return 0;
}

/* Remove temp files of `name` left by writers that died. Safe only under the
 * lock: every writer creates its temp file while holding it. The whole folder
 * is listed first and then the matches removed, as the node:fs backend does. */
static int sweep_temps(attempt *a) {
  DIR *d = opendir(a->dir);
  struct dirent *ent;
  char **found = NULL;
  struct stat st;
  size_t n_found = 0, cap = 0, dlen = strlen(a->dir), i;
  int rc = 0;
  if (d == NULL) {
    if (errno == ENOENT) return 0;
    set_error(a, "readdir");
    return -1;
  }
  for (;;) {
    errno = 0;
    ent = readdir(d);
    if (ent == NULL) {
      if (errno != 0) {
        set_error(a, "readdir");
        rc = -1;
      }
      break;
    }
    if (!is_temp_of(a->name, ent->d_name)) continue;
    if (n_found == cap) {
      char **grown = (char **)realloc(found, (cap = cap == 0 ? 4 : cap * 2) * sizeof *grown);
      if (grown == NULL) break;
      found = grown;
    }
    if ((found[n_found] = strdup(ent->d_name)) == NULL) break;
    n_found++;
  }
  if (rc == 0 && ent != NULL) { /* left the loop early: out of memory */
    errno = ENOMEM;
    set_error(a, "readdir");
    rc = -1;
  }
  closedir(d);
  for (i = 0; rc == 0 && i < n_found; i++) {
    char *full = (char *)malloc(dlen + 1 + strlen(found[i]) + 1);
    if (full == NULL) {
      errno = ENOMEM;
      set_error(a, "unlink");
      a->failed = strdup(found[i]);
      rc = -1;
      break;
    }
    memcpy(full, a->dir, dlen);
    full[dlen] = '/';
    strcpy(full + dlen + 1, found[i]);
    if (unlink(full) == 0) {
      if (note_swept(a, found[i]) != 0) {
        errno = ENOMEM;
        set_error(a, "readdir");
        rc = -1;
      }
    } else if ((errno == EISDIR || errno == EPERM) && lstat(full, &st) == 0 && S_ISDIR(st.st_mode)) {
      /* A folder with a temp file's name is no writer's leftover (writers
       * create files): someone else's, left for `check` to report. unlink(2)
       * refuses a folder with EISDIR on Linux, EPERM on macOS and BSD. */
    } else if (errno != ENOENT) {
      set_error(a, "unlink");
      a->failed = strdup(found[i]);
      rc = -1;
    }
    free(full);
  }
  for (i = 0; i < n_found; i++) free(found[i]);
  free(found);
  return rc;
}

static void look_at_current(attempt *a) {
  struct stat st;
  if (a->what == WHAT_READ) {
    exlab_read_bounded(&a->io, a->path, a->max);
    if (a->io.err == ENOENT && strcmp(a->io.step, "open") == 0) {
      a->io.err = 0;
      a->io.kind = KIND_ABSENT;
    } else if (a->io.err == ELOOP && strcmp(a->io.step, "open") == 0) {
      a->io.err = 0;
      a->io.kind = KIND_SYMLINK;
    }
  } else if (a->what == WHAT_EXISTS) {
    /* Only a regular file is a marker; whatever else is there is reported. */
    if (lstat(a->path, &st) != 0) {
      if (errno == ENOENT) a->io.kind = KIND_ABSENT;
      else set_error(a, "lstat");
    } else {
      a->io.kind = S_ISREG(st.st_mode) ? EXLAB_KIND_FILE
                   : S_ISLNK(st.st_mode) ? KIND_SYMLINK
                   : S_ISDIR(st.st_mode) ? EXLAB_KIND_DIRECTORY
                                         : EXLAB_KIND_SPECIAL;
    }
  } else {
    a->io.kind = KIND_NONE;
  }
}

/* Everything done once the lock is held, on whichever thread won it. A lock
 * on an inode that is no longer at the path excludes nobody: drop it. */
static void locked_work(void *ctx, int fd) {
  attempt *a = (attempt *)ctx;
  struct stat held, now;
  int gone;
  a->fd = fd;
  a->state = STATE_LOCKED;
  if (fstat(fd, &held) != 0) {
    set_error(a, "same-file");
    return;
  }
  if (!S_ISREG(held.st_mode)) {
    errno = EINVAL;
    set_error(a, "same-file");
    return;
  }
  gone = lstat(a->lock_path, &now) != 0;
  if (gone && errno != ENOENT) {
    set_error(a, "same-file");
    return;
  }
  if (gone || now.st_dev != held.st_dev || now.st_ino != held.st_ino) {
    unlock_close(a);
    a->state = STATE_STALE;
    return;
  }
  if (a->sweep && sweep_temps(a) != 0) return;
  look_at_current(a);
}

static napi_status set_num(napi_env env, napi_value obj, const char *name, double v) {
  napi_value val;
  napi_status s = napi_create_double(env, v, &val);
  return s == napi_ok ? napi_set_named_property(env, obj, name, val) : s;
}

static napi_value attempt_to_js(napi_env env, attempt *a) {
  napi_value out, list, val;
  size_t i;
  if (napi_create_object(env, &out) != napi_ok) return NULL;
  exlab_io_to_js(env, out, &a->io, a->state == STATE_LOCKED && a->what == WHAT_READ);
  set_num(env, out, "state", a->state);
  set_num(env, out, "fd", a->fd);
  if (napi_create_array_with_length(env, a->n_swept, &list) == napi_ok) {
    for (i = 0; i < a->n_swept; i++) {
      if (napi_create_string_utf8(env, a->swept[i], NAPI_AUTO_LENGTH, &val) == napi_ok) {
        napi_set_element(env, list, (uint32_t)i, val);
      }
    }
    napi_set_named_property(env, out, "swept", list);
  }
  if (a->failed != NULL && napi_create_string_utf8(env, a->failed, NAPI_AUTO_LENGTH, &val) == napi_ok) {
    napi_set_named_property(env, out, "failed", val);
  }
  return out;
}

/* The waiter's answer: the attempt, or the wait's own failure (a cancel). */
static napi_value wait_result(napi_env env, void *ctx, int err) {
  attempt *a = (attempt *)ctx;
  if (err != 0) {
    a->state = STATE_FAILED;
    a->io.err = err;
    a->io.step = "flock";
  }
  return attempt_to_js(env, a);
}

typedef struct job {
  napi_async_work work;
  napi_deferred deferred;
  attempt *a;   /* lockAndRead */
  int fd;       /* commit */
  char *tmp, *path, *dir, *bytes;
  size_t len;
  int mode, durable, retry;
  int keep;           /* commit: give the temp the attributes below */
  struct stat kept;   /* st_mode, st_uid, st_gid of the file replaced */
  exlab_io io;
} job;

static void job_free(job *j) {
  attempt_free(j->a);
  free(j->tmp);
  free(j->path);
  free(j->dir);
  free(j->bytes);
  free(j->io.data);
  free(j);
}

static void lock_and_read_execute(napi_env env, void *arg) {
  attempt *a = ((job *)arg)->a;
  int fd;
  (void)env;
  /* Never truncated (a peer may hold it), never through a symlink (a planted
   * link would make us create or lock a file elsewhere). */
  fd = open(a->lock_path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, SIDECAR_MODE);
  if (fd < 0 && (errno == EACCES || errno == EPERM)) {
    /* A sidecar another account created may not be writable for us: flock
     * works on a read-only descriptor, so that is enough to take part. */
    int refused = errno;
    fd = open(a->lock_path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) { /* missing, and the folder refused to create it */
        errno = refused;
        set_error(a, "create-sidecar");
      } else {
        set_error(a, errno == EACCES || errno == EPERM ? "open-sidecar-ro" : "open-sidecar");
      }
      return;
    }
  } else if (fd < 0) {
    set_error(a, "open-sidecar");
    return;
  }
  for (;;) {
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) break;
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK || errno == EAGAIN) {
      a->fd = fd;
      a->state = STATE_CONTENDED;
      return;
    }
    set_error(a, "flock");
    close(fd);
    return;
  }
  locked_work(a, fd);
}

static void commit_execute(napi_env env, void *arg) {
  job *j = (job *)arg;
  (void)env;
  exlab_replace(&j->io, j->tmp, j->path, j->dir, j->bytes, j->len, j->mode, j->durable, j->keep ? &j->kept : NULL);
  if (j->io.err == EEXIST && strcmp(j->io.step, "open") == 0) {
    j->retry = 1;
    return;
  }
  /* Released only now: the directory fsync is done, so whoever locks next
   * sees the new file, durably. */
  flock(j->fd, LOCK_UN);
  close(j->fd);
}

/* Always resolves: failures are data the TypeScript side turns into errors.
 * If the result cannot be built the promise is rejected, never left
 * pending: a pending one would hold the lock for ever. */
static void job_complete(napi_env env, napi_status status, void *arg) {
  job *j = (job *)arg;
  napi_value out = NULL, val;
  if (env != NULL) {
    if (j->a != NULL) {
      if (status != napi_ok && j->a->io.err == 0 && j->a->state != STATE_LOCKED) {
        j->a->io.err = ECANCELED;
        j->a->io.step = "queue";
        j->a->state = STATE_FAILED;
      }
      out = attempt_to_js(env, j->a);
    } else if (napi_create_object(env, &out) == napi_ok) {
      exlab_io_to_js(env, out, &j->io, 0);
      set_num(env, out, "retry", j->retry);
    } else {
      out = NULL;
    }
    if (out != NULL) napi_resolve_deferred(env, j->deferred, out);
    else if (napi_get_undefined(env, &val) == napi_ok) napi_reject_deferred(env, j->deferred, val);
  }
  napi_delete_async_work(env, j->work);
  job_free(j);
}

static napi_value queue(napi_env env, job *j, const char *name, napi_async_execute_callback execute) {
  napi_value promise = exlab_queue_job(env, name, execute, job_complete, j, &j->deferred, &j->work);
  if (promise == NULL) job_free(j);
  return promise;
}

/* Reads (lockPath, path, dir, what, maxBytes, sweep) from argv; NULL with a
 * pending exception when they are not that. */
static attempt *attempt_from_args(napi_env env, napi_value *argv) {
  attempt *a;
  double max = 0;
  int32_t what = 0;
  bool sweep = false;
  const char *slash;
  if (napi_get_value_int32(env, argv[3], &what) != napi_ok || what < WHAT_NONE || what > WHAT_EXISTS ||
      napi_get_value_double(env, argv[4], &max) != napi_ok || !(max >= 0) ||
      napi_get_value_bool(env, argv[5], &sweep) != napi_ok) {
    napi_throw_type_error(env, "EXLAB_NATIVE", "exlab: (lockPath, path, dir, what 0-2, maxBytes >= 0, sweep)");
    return NULL;
  }
  a = (attempt *)calloc(1, sizeof *a);
  if (a == NULL) {
    napi_throw_error(env, "ENOMEM", "exlab: out of memory");
    return NULL;
  }
  a->fd = -1;
  a->state = STATE_FAILED;
  if ((a->lock_path = exlab_dup_string(env, argv[0])) == NULL || (a->path = exlab_dup_string(env, argv[1])) == NULL ||
      (a->dir = exlab_dup_string(env, argv[2])) == NULL) {
    attempt_free(a);
    return NULL;
  }
  slash = strrchr(a->path, '/');
  a->name = slash != NULL ? slash + 1 : a->path;
  a->what = what;
  a->sweep = sweep ? 1 : 0;
  /* "No real bound" (Infinity, or more than memory) reads like the largest. */
  a->max = max > (double)(SIZE_MAX / 2) ? SIZE_MAX / 2 : (size_t)max;
  return a;
}

static napi_value lock_and_read(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  job *j;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 6) {
    napi_throw_type_error(env, "EXLAB_NATIVE", "exlab: lockAndRead(lockPath, path, dir, what, maxBytes, sweep)");
    return NULL;
  }
  j = (job *)calloc(1, sizeof *j);
  if (j == NULL) {
    napi_throw_error(env, "ENOMEM", "exlab: out of memory");
    return NULL;
  }
  j->fd = -1;
  if ((j->a = attempt_from_args(env, argv)) == NULL) {
    free(j);
    return NULL;
  }
  return queue(env, j, "exlab-cache:lock-and-read", lock_and_read_execute);
}

static napi_value wait_and_read(napi_env env, napi_callback_info info) {
  napi_value argv[8];
  int fd;
  attempt *a;
  exlab_then then;
  if (!exlab_arg_fd(env, info, 8, argv, &fd)) return NULL;
  if ((a = attempt_from_args(env, argv + 1)) == NULL) return NULL;
  a->fd = fd; /* the waiter's: reported back open if the wait fails */
  then.run = locked_work;
  then.result = wait_result;
  then.dispose = attempt_free;
  then.ctx = a;
  return exlab_start_wait(env, fd, argv[7], &then);
}

static napi_value commit(napi_env env, napi_callback_info info) {
  napi_value argv[10];
  double keep_mode = -1, keep_uid = -1, keep_gid = -1;
  job *j;
  void *bytes = NULL;
  size_t len = 0;
  bool durable = true, is_typed = false;
  napi_typedarray_type type;
  int fd;
  if (!exlab_arg_fd(env, info, 10, argv, &fd)) return NULL;
  if (napi_is_typedarray(env, argv[4], &is_typed) != napi_ok || !is_typed ||
      napi_get_typedarray_info(env, argv[4], &type, &len, &bytes, NULL, NULL) != napi_ok || type != napi_uint8_array) {
    napi_throw_type_error(env, "EXLAB_NATIVE", "exlab: commit(fd, tmp, path, dir, Uint8Array, mode, durable, keepMode, keepUid, keepGid)");
    return NULL;
  }
  j = (job *)calloc(1, sizeof *j);
  if (j == NULL) {
    napi_throw_error(env, "ENOMEM", "exlab: out of memory");
    return NULL;
  }
  j->fd = fd;
  if ((j->tmp = exlab_dup_string(env, argv[1])) == NULL || (j->path = exlab_dup_string(env, argv[2])) == NULL ||
      (j->dir = exlab_dup_string(env, argv[3])) == NULL) {
    job_free(j);
    return NULL;
  }
  if (napi_get_value_int32(env, argv[5], &j->mode) != napi_ok || napi_get_value_bool(env, argv[6], &durable) != napi_ok ||
      napi_get_value_double(env, argv[7], &keep_mode) != napi_ok || napi_get_value_double(env, argv[8], &keep_uid) != napi_ok ||
      napi_get_value_double(env, argv[9], &keep_gid) != napi_ok) {
    job_free(j);
    napi_throw_type_error(env, "EXLAB_NATIVE", "exlab: mode must be an integer, durable a boolean, keep* numbers");
    return NULL;
  }
  if (keep_mode >= 0) {
    j->keep = 1;
    j->kept.st_mode = (mode_t)keep_mode;
    j->kept.st_uid = (uid_t)keep_uid;
    j->kept.st_gid = (gid_t)keep_gid;
  }
  /* A copy: the pool thread must not touch memory the JS heap may move. */
  j->bytes = (char *)malloc(len > 0 ? len : 1);
  if (j->bytes == NULL) {
    job_free(j);
    napi_throw_error(env, "ENOMEM", "exlab: out of memory");
    return NULL;
  }
  if (len > 0) memcpy(j->bytes, bytes, len);
  j->len = len;
  j->durable = durable ? 1 : 0;
  return queue(env, j, "exlab-cache:commit", commit_execute);
}

void exlab_pipeline_register(napi_env env, napi_value exports) {
  struct { const char *name; napi_callback cb; } fns[] = {
    {"lockAndRead", lock_and_read},
    {"waitAndRead", wait_and_read},
    {"commit", commit},
  };
  size_t i;
  napi_value fn;
  for (i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    if (napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].cb, NULL, &fn) == napi_ok) {
      napi_set_named_property(env, exports, fns[i].name, fn);
    }
  }
}
