{
  "targets": [
    {
      "target_name": "exlab_cache",
      "sources": ["native/binding.c"],
      "cflags": ["-Wall", "-Wextra", "-O2"],
      "defines": ["NAPI_VERSION=8"],
      "conditions": [
        ["OS=='win'", { "sources": ["native/lock_win32.c", "native/io_win32.c"] }],
        ["OS!='win'", { "sources": ["native/lock_posix.c", "native/io_posix.c", "native/pipeline_posix.c", "native/fd_posix.c"] }]
      ]
    }
  ]
}
