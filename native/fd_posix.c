/*
 * fd_posix.c: the two things JavaScript does with a descriptor the addon
 * opened (a sidecar from lockAndRead): close it, and tell whether two open
 * descriptors are one file.
 *
 * Why not node:fs: a runtime's node:fs need not know descriptors it did not
 * open itself. Deno's keeps its own table, and its closeSync and fstatSync
 * fail with EBADF on one of ours (which would also leak it). Doing both here
 * works whatever opened the descriptor, on every runtime that loads the addon.
 */
#include "exlab.h"

#include <sys/stat.h>
#include <unistd.h>

/* closeFd(fd) -> 0 | errno. EINTR counts as closed: Linux and the BSDs
 * release the number before they can be interrupted, so a retry could close
 * a descriptor another thread has just been given. */
static napi_value close_fd(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int fd;
  if (!exlab_arg_fd(env, info, 1, argv, &fd)) return NULL;
  if (close(fd) == 0 || errno == EINTR) return exlab_int(env, 0);
  return exlab_int(env, errno);
}

/* sameInode(a, b) -> 0 when both are open on one inode, ESTALE when not,
 * else the errno of fstat. */
static napi_value same_inode(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int a, b;
  struct stat sa, sb;
  if (!exlab_arg_fd(env, info, 2, argv, &a)) return NULL;
  if (napi_get_value_int32(env, argv[1], &b) != napi_ok || b < 0) {
    napi_throw_type_error(env, "EXLAB_NATIVE", "exlab: fd must be a non-negative integer");
    return NULL;
  }
  if (fstat(a, &sa) != 0 || fstat(b, &sb) != 0) return exlab_int(env, errno);
  return exlab_int(env, sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino ? 0 : ESTALE);
}

void exlab_fd_register(napi_env env, napi_value exports) {
  struct { const char *name; napi_callback cb; } fns[] = {
    {"closeFd", close_fd},
    {"sameInode", same_inode},
  };
  size_t i;
  napi_value fn;
  for (i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    if (napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].cb, NULL, &fn) == napi_ok) {
      napi_set_named_property(env, exports, fns[i].name, fn);
    }
  }
}
