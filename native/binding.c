/*
 * binding.c: registers the addon. Converts nothing and decides nothing: the
 * calls are the backends' (see exlab.h for the contract).
 */
#include "exlab.h"

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_value fn, consts;
  struct { const char *name; napi_callback cb; } fns[] = {
    {"tryLock", exlab_try_lock},
    {"unlock", exlab_unlock},
    {"sameFile", exlab_same_file},
    {"waitLock", exlab_wait_lock},
    {"cancelWait", exlab_cancel_wait},
  };
  size_t i;
  if (!exlab_lock_init_env(env)) {
    napi_throw_error(env, "EXLAB_NATIVE", "exlab: cannot initialise");
    return NULL;
  }
  for (i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    EXLAB_CHECK(env, napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].cb, NULL, &fn));
    EXLAB_CHECK(env, napi_set_named_property(env, exports, fns[i].name, fn));
  }
  EXLAB_CHECK(env, napi_create_object(env, &consts));
  EXLAB_CHECK(env, napi_set_named_property(env, consts, "EWOULDBLOCK", exlab_int(env, EWOULDBLOCK)));
  EXLAB_CHECK(env, napi_set_named_property(env, consts, "ECANCELED", exlab_int(env, ECANCELED)));
  EXLAB_CHECK(env, napi_set_named_property(env, consts, "ESTALE", exlab_int(env, ESTALE)));
  EXLAB_CHECK(env, napi_set_named_property(env, consts, "ENOENT", exlab_int(env, ENOENT)));
  EXLAB_CHECK(env, napi_set_named_property(env, consts, "EINVAL", exlab_int(env, EINVAL)));
  EXLAB_CHECK(env, napi_set_named_property(env, exports, "errno", consts));
  EXLAB_CHECK(env, napi_get_boolean(env, exlab_lock_can_wait(), &fn));
  EXLAB_CHECK(env, napi_set_named_property(env, exports, "canWait", fn));
  EXLAB_CHECK(env, napi_create_string_utf8(env, exlab_lock_wait_method(), NAPI_AUTO_LENGTH, &fn));
  EXLAB_CHECK(env, napi_set_named_property(env, exports, "waitMethod", fn));
  exlab_io_register(env, exports);
  exlab_pipeline_register(env, exports);
#ifndef _WIN32
  exlab_fd_register(env, exports);
#endif
  return exports;
}
