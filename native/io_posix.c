/*
 * io_posix.c: the two short I/O sequences of the cache, each run as ONE job on
 * libuv's thread pool instead of one job per syscall.
 *
 * Why: every node:fs call is a round trip main thread -> pool -> main thread
 * (tens of microseconds on a quiet machine, much more on a busy one). The
 * replace recipe is nine such trips and a bounded read four, which made our
 * writes cost about three times the same syscalls in C, and made the
 * critical section under the lock that much longer for every waiter.
 *
 * The sequences and their order are exactly those of the node:fs backend
 * (src/fs/_backend-node.ts, the one an injected FileSystem drives). Only
 * calls that finish on their own run here; the lock wait never does (see
 * lock_posix.c for why). pipeline_posix.c runs the same two sequences inside
 * the locked write (exlab_replace, exlab_read_bounded).
 *
 *   replaceFile(tmp, path, dir, bytes, mode, durable) -> Promise<{errno, step}>
 *     lstat(path) -> open(tmp, O_WRONLY|O_CREAT|O_EXCL) -> [fchown, fchmod
 *     to the replaced file's owner, group and mode] -> write -> fsync -> close ->
 *     rename(tmp, path) -> open(dir) -> fsync -> close. errno 0 on success;
 *     on a failure before the rename the temp file is closed and unlinked.
 *     Each fsync is fcntl(F_FULLFSYNC) where the platform has it.
 *   readFile(path, maxBytes) -> Promise<{errno, step, kind, size, data}>
 *     open(O_RDONLY|O_NOFOLLOW|O_NONBLOCK) -> fstat -> pread until the size
 *     fstat gave (or end of file, or one byte past maxBytes) -> close.
 *     kind: 0 regular file (data set), 1 directory, 2 other non-regular,
 *     3 larger than maxBytes (size set).
 */
#include "exlab.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif
#ifndef O_DIRECTORY
#define O_DIRECTORY 0
#endif

typedef struct job {
  napi_async_work work;
  napi_deferred deferred;
  char *path;
  char *tmp;    /* replace only */
  char *dir;    /* replace only */
  char *bytes;  /* replace: bytes to write (a copy) */
  size_t len;
  size_t max;   /* read only */
  int mode;
  int durable;
  exlab_io io;
} job;

static void job_free(job *j) {
  free(j->path);
  free(j->tmp);
  free(j->dir);
  free(j->bytes);
  free(j->io.data);
  free(j);
}

static void fail(exlab_io *io, const char *step) {
  io->err = errno != 0 ? errno : EIO;
  io->step = step;
}

/* fsync that reaches the medium. On macOS fsync(2) only hands the data to
 * the drive, whose cache may still lose it at a power cut; F_FULLFSYNC also
 * flushes the drive. Filesystems that do not support it (some network and
 * FAT mounts) refuse it as unsupported; plain fsync is then the best there
 * is. Any other failure (EIO...) is reported as it is: retrying with fsync
 * after a failed flush could report success for data already dropped. */
static int durable_fsync(int fd) {
#ifdef F_FULLFSYNC
  if (fcntl(fd, F_FULLFSYNC) == 0) return 0;
  if (errno != ENOTSUP && errno != EINVAL && errno != ENOTTY
#if defined(EOPNOTSUPP) && EOPNOTSUPP != ENOTSUP
      && errno != EOPNOTSUPP
#endif
  ) return -1;
#endif
  return fsync(fd);
}

/* Whether this process may give a file group `gid` (it is its effective
 * group or one of its supplementary groups). */
static int in_group(gid_t gid) {
  gid_t small[64];
  gid_t *list = small;
  int n, i, found = 0;
  if (getegid() == gid) return 1;
  n = getgroups(0, NULL);
  if (n <= 0) return 0;
  if (n > 64 && (list = (gid_t *)malloc((size_t)n * sizeof *list)) == NULL) return 0;
  n = getgroups(n, list);
  for (i = 0; i < n && !found; i++) found = list[i] == gid;
  if (list != small) free(list);
  return found;
}

/* A rewrite keeps the replaced file's owner, group and mode: they are set on
 * the temp before its first byte, so the name never shows other ones. Root
 * keeps the owner and group; another account becomes the owner (the kernel
 * lets nobody give a file away) and keeps the group when it is a member.
 * Owner first: a chown clears set-id bits that the chmod then restores.
 * Best effort: filesystems without Unix owners or modes (FAT, exFAT, SMB)
 * refuse, and the file is still written. Same steps as the node:fs backend. */
static void keep_attributes(int fd, const struct stat *old) {
  uid_t uid = (uid_t)-1;
  gid_t gid = (gid_t)-1;
  if (geteuid() == 0) {
    uid = old->st_uid;
    gid = old->st_gid;
  } else if (in_group(old->st_gid)) {
    gid = old->st_gid;
  }
  if (uid != (uid_t)-1 || gid != (gid_t)-1) (void)fchown(fd, uid, gid);
  (void)fchmod(fd, old->st_mode & 07777);
}

void exlab_replace(exlab_io *io, const char *tmp, const char *path, const char *dir,
                   const char *data, size_t len, int mode, int durable, const struct stat *keep) {
  size_t off = 0;
  int fd, dfd;
  fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    fail(io, "open");
    return;
  }
  if (keep != NULL) keep_attributes(fd, keep);
  while (off < len) {
    ssize_t n = write(fd, data + off, len - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;
      fail(io, "write");
      goto drop_fd;
    }
    off += (size_t)n;
  }
  if (durable && durable_fsync(fd) != 0) {
    fail(io, "fsync");
    goto drop_fd;
  }
  if (close(fd) != 0) {
    fail(io, "close");
    goto drop_tmp;
  }
  if (rename(tmp, path) != 0) {
    fail(io, "rename");
    goto drop_tmp;
  }
  /* The rename is in the directory; only fsyncing the directory makes it
   * survive a power cut. From here the new content is in place whatever
   * happens, so there is nothing to undo. */
  if (!durable) return;
  dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) {
    fail(io, "fsync-dir");
    return;
  }
  if (durable_fsync(dfd) != 0) {
    fail(io, "fsync-dir");
    close(dfd);
    return;
  }
  if (close(dfd) != 0) fail(io, "fsync-dir");
  return;
drop_fd:
  close(fd);
drop_tmp:
  unlink(tmp);
}

void exlab_read_bounded(exlab_io *io, const char *path, size_t max) {
  struct stat st;
  size_t cap, len = 0;
  int fd;
  fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    fail(io, "open");
    return;
  }
  if (fstat(fd, &st) != 0) {
    fail(io, "fstat");
    goto done;
  }
  io->has_stat = 1;
  io->st_mode = (double)st.st_mode;
  io->st_uid = (double)st.st_uid;
  io->st_gid = (double)st.st_gid;
  if (!S_ISREG(st.st_mode)) {
    io->kind = S_ISDIR(st.st_mode) ? EXLAB_KIND_DIRECTORY : EXLAB_KIND_SPECIAL;
    goto done;
  }
  if ((unsigned long long)st.st_size > max) {
    io->kind = EXLAB_KIND_TOO_LARGE;
    io->size = (double)st.st_size;
    goto done;
  }
  /* Read until end of file, one byte past the bound at most, so a file that
   * grew since the fstat is neither cut short nor read without limit. */
  cap = (size_t)st.st_size + 1;
  io->data = (char *)malloc(cap);
  if (io->data == NULL) {
    errno = ENOMEM;
    fail(io, "read");
    goto done;
  }
  for (;;) {
    ssize_t n = pread(fd, io->data + len, cap - len, (off_t)len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      fail(io, "read");
      goto done;
    }
    if (n == 0) break;
    len += (size_t)n;
    if (len > max) {
      io->kind = EXLAB_KIND_TOO_LARGE;
      io->size = (double)len;
      goto done;
    }
    /* Writers replace cache files by rename and never change an inode in
     * place, so having read the size fstat gave is having read it all. */
    if (len == (size_t)st.st_size) break;
    if (len == cap) {
      size_t bigger = cap * 2 < max + 1 ? cap * 2 : max + 1;
      char *grown = (char *)realloc(io->data, bigger);
      if (grown == NULL) {
        errno = ENOMEM;
        fail(io, "read");
        goto done;
      }
      io->data = grown;
      cap = bigger;
    }
  }
  io->len = len;
done:
  if (close(fd) != 0 && io->err == 0) fail(io, "close");
}

static void replace_execute(napi_env env, void *arg) {
  job *j = (job *)arg;
  struct stat old;
  int keep;
  (void)env;
  /* Absent (a first write) or not examinable: nothing to keep; the open
   * in exlab_replace meets the same refusal and reports it. */
  keep = lstat(j->path, &old) == 0 && S_ISREG(old.st_mode);
  exlab_replace(&j->io, j->tmp, j->path, j->dir, j->bytes, j->len, j->mode, j->durable, keep ? &old : NULL);
}

static void read_execute(napi_env env, void *arg) {
  job *j = (job *)arg;
  (void)env;
  exlab_read_bounded(&j->io, j->path, j->max);
}

static napi_status set_num(napi_env env, napi_value obj, const char *name, double v) {
  napi_value val;
  napi_status s = napi_create_double(env, v, &val);
  return s == napi_ok ? napi_set_named_property(env, obj, name, val) : s;
}

void exlab_io_to_js(napi_env env, napi_value out, exlab_io *io, int with_data) {
  napi_value val;
  if (io->err == 0 && with_data && io->kind == EXLAB_KIND_FILE &&
      napi_create_buffer_copy(env, io->len, io->len > 0 ? io->data : "", NULL, &val) == napi_ok) {
    napi_set_named_property(env, out, "data", val);
  } else if (io->err == 0 && with_data && io->kind == EXLAB_KIND_FILE) {
    io->err = ENOMEM; /* never hand back an empty buffer as if it were the file */
    io->step = "read";
  }
  set_num(env, out, "errno", io->err);
  set_num(env, out, "kind", io->kind);
  set_num(env, out, "size", io->size);
  if (io->has_stat) {
    set_num(env, out, "mode", io->st_mode);
    set_num(env, out, "uid", io->st_uid);
    set_num(env, out, "gid", io->st_gid);
  }
  if (napi_create_string_utf8(env, io->step != NULL ? io->step : "", NAPI_AUTO_LENGTH, &val) == napi_ok) {
    napi_set_named_property(env, out, "step", val);
  }
}

/* Always resolves (never rejects): failures are data the TypeScript side
 * turns into the same errors as its own path. */
static void job_complete(napi_env env, napi_status status, void *arg) {
  job *j = (job *)arg;
  napi_value out, val;
  if (env != NULL && napi_create_object(env, &out) != napi_ok) {
    /* Settle the promise whatever happens: an unsettled one would keep its
     * pool slot and its caller's lock for ever. */
    if (napi_get_undefined(env, &val) == napi_ok) napi_reject_deferred(env, j->deferred, val);
  } else if (env != NULL) {
    if (status != napi_ok && j->io.err == 0) {
      j->io.err = ECANCELED;
      j->io.step = "queue";
    }
    exlab_io_to_js(env, out, &j->io, j->tmp == NULL);
    napi_resolve_deferred(env, j->deferred, out);
  }
  napi_delete_async_work(env, j->work);
  job_free(j);
}

/* A malloc'd UTF-8 copy of a JS string, or NULL (with a pending exception). */
char *exlab_dup_string(napi_env env, napi_value v) {
  size_t len = 0;
  char *out;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) {
    napi_throw_type_error(env, "EXLAB_NATIVE", "exlab: expected a string");
    return NULL;
  }
  out = (char *)malloc(len + 1);
  if (out == NULL) {
    napi_throw_error(env, "ENOMEM", "exlab: out of memory");
    return NULL;
  }
  napi_get_value_string_utf8(env, v, out, len + 1, &len);
  if (strlen(out) != len) { /* an embedded NUL would silently cut the path */
    free(out);
    napi_throw_type_error(env, "EXLAB_NATIVE", "exlab: path contains a NUL byte");
    return NULL;
  }
  return out;
}

static napi_value queue_job(napi_env env, job *j, const char *name, napi_async_execute_callback execute) {
  napi_value promise = exlab_queue_job(env, name, execute, job_complete, j, &j->deferred, &j->work);
  if (promise == NULL) job_free(j);
  return promise;
}

static napi_value replace_file(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  job *j;
  void *bytes = NULL;
  size_t len = 0;
  bool durable = true, is_typed = false;
  napi_typedarray_type type;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 6 ||
      napi_is_typedarray(env, argv[3], &is_typed) != napi_ok || !is_typed ||
      napi_get_typedarray_info(env, argv[3], &type, &len, &bytes, NULL, NULL) != napi_ok || type != napi_uint8_array) {
    napi_throw_type_error(env, "EXLAB_NATIVE", "exlab: replaceFile(tmp, path, dir, Uint8Array, mode, durable)");
    return NULL;
  }
  j = (job *)calloc(1, sizeof *j);
  if (j == NULL) {
    napi_throw_error(env, "ENOMEM", "exlab: out of memory");
    return NULL;
  }
  if ((j->tmp = exlab_dup_string(env, argv[0])) == NULL || (j->path = exlab_dup_string(env, argv[1])) == NULL ||
      (j->dir = exlab_dup_string(env, argv[2])) == NULL) {
    job_free(j);
    return NULL;
  }
  if (napi_get_value_int32(env, argv[4], &j->mode) != napi_ok || napi_get_value_bool(env, argv[5], &durable) != napi_ok) {
    job_free(j);
    napi_throw_type_error(env, "EXLAB_NATIVE", "exlab: mode must be an integer and durable a boolean");
    return NULL;
  }
  /* A copy: the pool thread must not touch memory the JS heap may move or
   * free. Cache records are a few hundred bytes. */
  j->bytes = (char *)malloc(len > 0 ? len : 1);
  if (j->bytes == NULL) {
    job_free(j);
    napi_throw_error(env, "ENOMEM", "exlab: out of memory");
    return NULL;
  }
  if (len > 0) memcpy(j->bytes, bytes, len);
  j->len = len;
  j->durable = durable ? 1 : 0;
  return queue_job(env, j, "exlab-cache:replace", replace_execute);
}

static napi_value read_file(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  double max = 0;
  job *j;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2 ||
      napi_get_value_double(env, argv[1], &max) != napi_ok || !(max >= 0)) {
    napi_throw_type_error(env, "EXLAB_NATIVE", "exlab: readFile(path, maxBytes >= 0)");
    return NULL;
  }
  /* "No real bound" (Infinity, or more than memory) reads like the largest. */
  if (max > (double)(SIZE_MAX / 2)) max = (double)(SIZE_MAX / 2);
  j = (job *)calloc(1, sizeof *j);
  if (j == NULL) {
    napi_throw_error(env, "ENOMEM", "exlab: out of memory");
    return NULL;
  }
  if ((j->path = exlab_dup_string(env, argv[0])) == NULL) {
    job_free(j);
    return NULL;
  }
  j->max = (size_t)max;
  return queue_job(env, j, "exlab-cache:read", read_execute);
}

void exlab_io_register(napi_env env, napi_value exports) {
  napi_value fn;
  if (napi_create_function(env, "replaceFile", NAPI_AUTO_LENGTH, replace_file, NULL, &fn) == napi_ok) {
    napi_set_named_property(env, exports, "replaceFile", fn);
  }
  if (napi_create_function(env, "readFile", NAPI_AUTO_LENGTH, read_file, NULL, &fn) == napi_ok) {
    napi_set_named_property(env, exports, "readFile", fn);
  }
}

