/*
 * io_win32.c: no batched jobs yet on Windows. Without replaceFile/readFile
 * and the write pipeline on the addon, src/fs takes its node:fs backend,
 * which does the same steps one call at a time.
 */
#include "exlab.h"

void exlab_io_register(napi_env env, napi_value exports) {
  (void)env;
  (void)exports;
}

void exlab_pipeline_register(napi_env env, napi_value exports) {
  (void)env;
  (void)exports;
}
