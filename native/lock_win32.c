/*
 * lock_win32.c: the sidecar lock on Windows, as LockFileEx on byte 0.
 *
 * Python's filelock locks the one byte at offset 0 of the sidecar on Windows
 * (msvcrt.locking in 3.x, LockFileEx in 4.x), so the same range excludes it.
 */
#include "exlab.h"

#include <windows.h>
#include <string.h>

/* The OS handle behind one of Node's descriptors. node.exe carries its own C
 * runtime, so this addon's _get_osfhandle() does not know Node's descriptors:
 * ask libuv, which node.exe exports. */
HANDLE uv_get_osfhandle(int fd);

static int lock_byte0(int fd, DWORD flags) {
  HANDLE h = uv_get_osfhandle(fd);
  OVERLAPPED ov;
  if (h == INVALID_HANDLE_VALUE) return EBADF;
  memset(&ov, 0, sizeof ov);
  if (LockFileEx(h, flags, 0, 1, 0, &ov)) return 0;
  return GetLastError() == ERROR_LOCK_VIOLATION ? EWOULDBLOCK : EIO;
}

napi_value exlab_try_lock(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int fd;
  if (!exlab_arg_fd(env, info, 1, argv, &fd)) return NULL;
  return exlab_int(env, lock_byte0(fd, LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY));
}

napi_value exlab_unlock(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int fd;
  OVERLAPPED ov;
  HANDLE h;
  if (!exlab_arg_fd(env, info, 1, argv, &fd)) return NULL;
  h = uv_get_osfhandle(fd);
  if (h == INVALID_HANDLE_VALUE) return exlab_int(env, EBADF);
  memset(&ov, 0, sizeof ov);
  return exlab_int(env, UnlockFileEx(h, 0, 1, 0, &ov) ? 0 : EIO);
}

/* filelock on Windows deletes the sidecar on release. The addon opens it
 * without FILE_SHARE_DELETE (io_win32.c), so that delete fails while it is
 * open here, but a peer's delete that came before our open may still be
 * pending. A lock on a file whose deletion is pending excludes nobody, so
 * report it as stale. */
napi_value exlab_same_file(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int fd;
  HANDLE h;
  FILE_STANDARD_INFO st;
  if (!exlab_arg_fd(env, info, 2, argv, &fd)) return NULL;
  h = uv_get_osfhandle(fd);
  if (h == INVALID_HANDLE_VALUE) return exlab_int(env, EBADF);
  if (!GetFileInformationByHandleEx(h, FileStandardInfo, &st, sizeof st)) return exlab_int(env, EIO);
  if (st.Directory) return exlab_int(env, EINVAL);
  return exlab_int(env, (st.DeletePending || st.NumberOfLinks == 0) ? ESTALE : 0);
}

int exlab_lock_can_wait(void) { return 0; }

const char *exlab_lock_wait_method(void) { return "poll"; }
int exlab_lock_init_env(napi_env env) { (void)env; return 1; }
napi_value exlab_wait_lock(napi_env env, napi_callback_info info) {
  (void)info;
  napi_throw_error(env, "EXLAB_NATIVE", "exlab: blocking wait is not available on Windows");
  return NULL;
}
napi_value exlab_cancel_wait(napi_env env, napi_callback_info info) {
  (void)info;
  return exlab_int(env, 0);
}

