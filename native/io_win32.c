/*
 * io_win32.c: no batched jobs yet on Windows. Without replaceFile/readFile on
 * the addon, src/fs/atomic.ts and src/fs/read.ts take their node:fs paths,
 * which do the same steps one call at a time.
 */
#include "exlab.h"

void exlab_io_register(napi_env env, napi_value exports) {
  (void)env;
  (void)exports;
}
