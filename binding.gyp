{
  "targets": [
    {
      "target_name": "exlab_flock",
      "sources": ["native/flock.c", "native/io.c"],
      "cflags": ["-Wall", "-Wextra", "-O2"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
