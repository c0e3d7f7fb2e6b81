/*
 * io_win32.c: the crash-safe replace on Windows as ONE job on libuv's thread
 * pool (the bounded read takes the node:fs path in src/fs/read.ts here), and
 * the sidecar's open, also a job there.
 *
 *   replaceFile(tmp, path, dir, bytes, mode, durable) -> Promise<{errno, step}>
 *     CreateFileW(tmp, CREATE_NEW) -> WriteFile -> FlushFileBuffers ->
 *     CloseHandle -> MoveFileExW(tmp, path, REPLACE_EXISTING | WRITE_THROUGH).
 *   openSidecar(path, writable) -> Promise<fd | -errno>
 *     CreateFileW(path, share read and write but NOT delete), as a descriptor
 *     of node.exe's C runtime (uv_open_osfhandle), so node:fs closes it and
 *     lock_win32.c finds its handle like any other. Why not node:fs: libuv
 *     always shares deletion, see open_sidecar_execute.
 *
 * Differences from io_posix.c, each deliberate:
 *  - MoveFileExW is retried for a bounded time on the sharing violations a
 *    reader holding `path` open without FILE_SHARE_DELETE causes (virus
 *    scanners, indexers, Python's open()); Node's rename gives up at once.
 *  - There is no directory fsync: a directory handle cannot be flushed on
 *    Windows. MOVEFILE_WRITE_THROUGH makes the call return only once the
 *    rename is flushed, which is the closest equivalent.
 *  - `mode` is ignored: Windows files have ACLs, inherited from the folder.
 *  - errno is libuv's code for the Win32 error (uv_translate_sys_error,
 *    exported by node.exe), negated, so the TypeScript side maps it with the
 *    same table as Node's own errors.
 */
#include "exlab.h"

#include <windows.h>
#include <stdlib.h>
#include <string.h>

/* Exported by node.exe (libuv). */
int uv_translate_sys_error(int sys_errno);
int uv_open_osfhandle(HANDLE os_fd);
/* uv_fs_t is opaque here (Node-API's headers carry no libuv): see
 * close_node_fd for the room it is given. */
int uv_fs_close(struct uv_loop_s *loop, void *req, int file, void *cb);
void uv_fs_req_cleanup(void *req);

/* libuv's EISDIR, EMFILE and ECANCELED on Windows (uv/errno.h: UV__EISDIR,
 * UV__EMFILE, UV__ECANCELED), negated; fixed for all of libuv 1.x. The Win32
 * errors do not say these. */
#define EXLAB_UV_EISDIR 4068
#define EXLAB_UV_EMFILE 4066
#define EXLAB_UV_ECANCELED 4081

/* How long a replace waits out a reader holding the target open. */
#define REPLACE_RETRY_TOTAL_MS 5000
#define REPLACE_RETRY_MAX_STEP_MS 100

typedef struct job {
  napi_async_work work;
  napi_deferred deferred;
  wchar_t *tmp;
  wchar_t *path;
  char *data;
  size_t len;
  int durable;
  int err;
  const char *step;
} job;

static void job_free(job *j) {
  free(j->tmp);
  free(j->path);
  free(j->data);
  free(j);
}

static void fail(job *j, const char *step, DWORD code) {
  j->err = -uv_translate_sys_error((int)code);
  if (j->err == 0) j->err = EIO;
  j->step = step;
}

static int transient(DWORD code) {
  return code == ERROR_SHARING_VIOLATION || code == ERROR_LOCK_VIOLATION || code == ERROR_ACCESS_DENIED;
}

/* Windows answers "access denied" both for a refusal and for a target that
 * another process holds open without sharing deletion (a virus scanner, an
 * indexer). Asking for the one right a rename needs on the target tells them
 * apart: a holder makes that a sharing violation (reported as EBUSY), a real
 * refusal stays access denied. */
static DWORD busy_or_denied(const wchar_t *path) {
  HANDLE h = CreateFileW(path, DELETE, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL, OPEN_EXISTING,
                         FILE_FLAG_BACKUP_SEMANTICS, NULL);
  DWORD code;
  if (h != INVALID_HANDLE_VALUE) {
    CloseHandle(h);
    return ERROR_ACCESS_DENIED;
  }
  code = GetLastError();
  return code == ERROR_SHARING_VIOLATION ? ERROR_SHARING_VIOLATION : ERROR_ACCESS_DENIED;
}

static void replace_execute(napi_env env, void *arg) {
  job *j = (job *)arg;
  HANDLE h;
  size_t off = 0;
  DWORD waited = 0, step_ms = 1;
  (void)env;
  h = CreateFileW(j->tmp, GENERIC_WRITE, 0, NULL, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, NULL);
  if (h == INVALID_HANDLE_VALUE) {
    fail(j, "open", GetLastError());
    return;
  }
  while (off < j->len) {
    DWORD chunk = j->len - off > 0x40000000u ? 0x40000000u : (DWORD)(j->len - off), done = 0;
    if (!WriteFile(h, j->data + off, chunk, &done, NULL)) {
      fail(j, "write", GetLastError());
      break;
    }
    off += done;
  }
  if (j->err == 0 && j->durable && !FlushFileBuffers(h)) fail(j, "fsync", GetLastError());
  if (!CloseHandle(h) && j->err == 0) fail(j, "close", GetLastError());
  if (j->err != 0) {
    DeleteFileW(j->tmp);
    return;
  }
  for (;;) {
    DWORD code;
    if (MoveFileExW(j->tmp, j->path, MOVEFILE_REPLACE_EXISTING | (j->durable ? MOVEFILE_WRITE_THROUGH : 0))) return;
    code = GetLastError();
    if (!transient(code) || waited >= REPLACE_RETRY_TOTAL_MS) {
      fail(j, "rename", code == ERROR_ACCESS_DENIED ? busy_or_denied(j->path) : code);
      DeleteFileW(j->tmp);
      return;
    }
    Sleep(step_ms);
    waited += step_ms;
    step_ms = step_ms * 2 > REPLACE_RETRY_MAX_STEP_MS ? REPLACE_RETRY_MAX_STEP_MS : step_ms * 2;
  }
}

static void set_num(napi_env env, napi_value obj, const char *name, double v) {
  napi_value val;
  if (napi_create_double(env, v, &val) == napi_ok) napi_set_named_property(env, obj, name, val);
}

/* Always resolves: failures are data the TypeScript side turns into errors. */
static void job_complete(napi_env env, napi_status status, void *arg) {
  job *j = (job *)arg;
  napi_value out, val;
  if (env != NULL && napi_create_object(env, &out) != napi_ok) {
    if (napi_get_undefined(env, &val) == napi_ok) napi_reject_deferred(env, j->deferred, val);
  } else if (env != NULL) {
    if (status != napi_ok && j->err == 0) {
      j->err = ECANCELED;
      j->step = "queue";
    }
    set_num(env, out, "errno", j->err);
    set_num(env, out, "kind", 0);
    set_num(env, out, "size", 0);
    if (napi_create_string_utf8(env, j->step != NULL ? j->step : "", NAPI_AUTO_LENGTH, &val) == napi_ok) {
      napi_set_named_property(env, out, "step", val);
    }
    napi_resolve_deferred(env, j->deferred, out);
  }
  napi_delete_async_work(env, j->work);
  job_free(j);
}

/* A malloc'd UTF-16 copy of a JS string, or NULL with a pending exception. */
static wchar_t *dup_wide(napi_env env, napi_value v) {
  size_t len = 0, got = 0;
  wchar_t *out;
  if (napi_get_value_string_utf16(env, v, NULL, 0, &len) != napi_ok) {
    napi_throw_type_error(env, "EXLAB_NATIVE", "exlab: expected a string");
    return NULL;
  }
  out = (wchar_t *)malloc((len + 1) * sizeof *out);
  if (out == NULL) {
    napi_throw_error(env, "ENOMEM", "exlab: out of memory");
    return NULL;
  }
  napi_get_value_string_utf16(env, v, (char16_t *)out, len + 1, &got);
  if (wcslen(out) != len) { /* an embedded NUL would silently cut the path */
    free(out);
    napi_throw_type_error(env, "EXLAB_NATIVE", "exlab: path contains a NUL byte");
    return NULL;
  }
  return out;
}

static napi_value replace_file(napi_env env, napi_callback_info info) {
  size_t argc = 6, len = 0;
  napi_value argv[6], promise;
  void *bytes = NULL;
  bool durable = true, is_typed = false;
  napi_typedarray_type type;
  job *j;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 6 ||
      napi_is_typedarray(env, argv[3], &is_typed) != napi_ok || !is_typed ||
      napi_get_typedarray_info(env, argv[3], &type, &len, &bytes, NULL, NULL) != napi_ok || type != napi_uint8_array ||
      napi_get_value_bool(env, argv[5], &durable) != napi_ok) {
    napi_throw_type_error(env, "EXLAB_NATIVE", "exlab: replaceFile(tmp, path, dir, Uint8Array, mode, durable)");
    return NULL;
  }
  j = (job *)calloc(1, sizeof *j);
  if (j == NULL) {
    napi_throw_error(env, "ENOMEM", "exlab: out of memory");
    return NULL;
  }
  if ((j->tmp = dup_wide(env, argv[0])) == NULL || (j->path = dup_wide(env, argv[1])) == NULL) {
    job_free(j);
    return NULL;
  }
  j->data = (char *)malloc(len > 0 ? len : 1);
  if (j->data == NULL) {
    job_free(j);
    napi_throw_error(env, "ENOMEM", "exlab: out of memory");
    return NULL;
  }
  if (len > 0) memcpy(j->data, bytes, len);
  j->len = len;
  j->durable = durable ? 1 : 0;
  promise = exlab_queue_job(env, "exlab-cache:replace", replace_execute, job_complete, j, &j->deferred, &j->work);
  if (promise == NULL) job_free(j);
  return promise;
}

typedef struct open_job {
  napi_async_work work;
  napi_deferred deferred;
  wchar_t *path;
  int writable;
  HANDLE handle; /* opened on the pool, INVALID_HANDLE_VALUE otherwise */
  int result;    /* when no handle: a negated libuv errno */
} open_job;

/*
 * Python's filelock releases on Windows by unlocking, closing and then
 * deleting the sidecar. Its own peers open the file without FILE_SHARE_DELETE
 * (os.open's _SH_DENYNO), so while one holds it another's delete fails and is
 * ignored. A handle that shares deletion, as every libuv open does, lets that
 * delete through: a lock taken between a peer's close and its delete would be
 * held on a file whose name is gone at once (the POSIX delete semantics of
 * current NTFS), and the next writer would create and lock a new one. Not
 * sharing deletion keeps the sidecar in place as long as it is open here.
 *
 * The price is the one Python's peers pay: while a peer's delete has the file
 * open for deletion, this open fails with a sharing violation (EBUSY), which
 * the caller retries as it retries a name pending deletion (EPERM).
 *
 * The handle stays a HANDLE until open_sidecar_complete, on the JS thread,
 * knows it can hand it over: a handle nobody receives is closed, never left
 * open (it would keep the sidecar undeletable for filelock until exit).
 */
static void open_sidecar_execute(napi_env env, void *arg) {
  open_job *j = (open_job *)arg;
  BY_HANDLE_FILE_INFORMATION info;
  HANDLE h;
  (void)env;
  /* Backup semantics open a folder too, so that it is reported as one
   * (EISDIR, as libuv does) instead of as access denied. */
  h = CreateFileW(j->path, j->writable ? GENERIC_READ | GENERIC_WRITE : GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE,
                  NULL, j->writable ? OPEN_ALWAYS : OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL | FILE_FLAG_BACKUP_SEMANTICS, NULL);
  if (h == INVALID_HANDLE_VALUE) {
    j->result = uv_translate_sys_error((int)GetLastError());
    return;
  }
  if (GetFileInformationByHandle(h, &info) && (info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0) {
    CloseHandle(h);
    j->result = -EXLAB_UV_EISDIR;
    return;
  }
  j->handle = h;
}

/* Close a descriptor of node.exe's C runtime (uv_open_osfhandle's), which
 * this addon's own _close does not know: through libuv, synchronously (no
 * callback). The request is libuv's uv_fs_t, 456 bytes aligned to 8 on
 * win64 (its size is part of libuv 1.x's stable ABI); it gets twice that. */
static void close_node_fd(napi_env env, int fd) {
  struct uv_loop_s *loop = NULL;
  union {
    char bytes[1024];
    void *align_p;
    long long align_ll;
    double align_d;
  } req;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == NULL) return;
  memset(&req, 0, sizeof req);
  uv_fs_close(loop, &req, fd, NULL);
  uv_fs_req_cleanup(&req);
}

/* Settles the promise with a descriptor or a negated libuv errno, on the JS
 * thread. A handle that cannot be delivered (the environment is going away,
 * the job never ran, the value or the resolution fails) is closed. */
static void open_sidecar_complete(napi_env env, napi_status status, void *arg) {
  open_job *j = (open_job *)arg;
  int fd = -1, result = j->result;
  napi_value out = NULL;
  if (env == NULL || status != napi_ok) {
    /* Not delivered: a job that never ran opened nothing, one whose
     * environment is gone has no one to hand it to. */
    if (j->handle != INVALID_HANDLE_VALUE) CloseHandle(j->handle);
    j->handle = INVALID_HANDLE_VALUE;
    result = -EXLAB_UV_ECANCELED;
  } else if (j->handle != INVALID_HANDLE_VALUE) {
    /* A descriptor of node.exe's C runtime, so node:fs closes it and
     * lock_win32.c finds its handle like any other. */
    fd = uv_open_osfhandle(j->handle);
    if (fd < 0) {
      CloseHandle(j->handle);
      result = -EXLAB_UV_EMFILE;
    } else {
      result = fd;
    }
    j->handle = INVALID_HANDLE_VALUE; /* closed, or owned by fd */
  }
  if (env != NULL) {
    out = exlab_int(env, result);
    if (out == NULL || napi_resolve_deferred(env, j->deferred, out) != napi_ok) {
      /* Never reaches JavaScript: close it here, and settle the promise if
       * that still can be done, so the lock attempt does not hang. */
      napi_value why;
      if (fd >= 0) close_node_fd(env, fd);
      if (napi_get_undefined(env, &why) == napi_ok) napi_reject_deferred(env, j->deferred, why);
    }
  }
  napi_delete_async_work(env, j->work);
  free(j->path);
  free(j);
}

static napi_value open_sidecar(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], promise;
  bool writable = true;
  open_job *j;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2 ||
      napi_get_value_bool(env, argv[1], &writable) != napi_ok) {
    napi_throw_type_error(env, "EXLAB_NATIVE", "exlab: openSidecar(path, writable)");
    return NULL;
  }
  j = (open_job *)calloc(1, sizeof *j);
  if (j == NULL) {
    napi_throw_error(env, "ENOMEM", "exlab: out of memory");
    return NULL;
  }
  if ((j->path = dup_wide(env, argv[0])) == NULL) {
    free(j);
    return NULL;
  }
  j->writable = writable ? 1 : 0;
  j->handle = INVALID_HANDLE_VALUE;
  promise = exlab_queue_job(env, "exlab-cache:open-sidecar", open_sidecar_execute, open_sidecar_complete, j, &j->deferred,
                            &j->work);
  if (promise == NULL) {
    free(j->path);
    free(j);
  }
  return promise;
}

void exlab_io_register(napi_env env, napi_value exports) {
  napi_value fn;
  if (napi_create_function(env, "replaceFile", NAPI_AUTO_LENGTH, replace_file, NULL, &fn) == napi_ok) {
    napi_set_named_property(env, exports, "replaceFile", fn);
  }
  if (napi_create_function(env, "openSidecar", NAPI_AUTO_LENGTH, open_sidecar, NULL, &fn) == napi_ok) {
    napi_set_named_property(env, exports, "openSidecar", fn);
  }
}

void exlab_pipeline_register(napi_env env, napi_value exports) {
  (void)env;
  (void)exports;
}
