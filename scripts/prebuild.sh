#!/usr/bin/env bash
# Builds the four prebuilt Node-API binaries into prebuilds/ (the layout
# node-gyp-build loads from):
#   prebuilds/linux-x64/node.napi.glibc.node    gcc, symbol versions pinned to glibc <= 2.17
#   prebuilds/linux-x64/node.napi.musl.node     musl-gcc
#   prebuilds/linux-arm64/node.napi.glibc.node  aarch64-linux-gnu-gcc, pinned likewise
#   prebuilds/win32-x64/node.napi.node          mingw-w64, delay-loaded from the host executable
# Needs (Debian): gcc musl-tools gcc-aarch64-linux-gnu libc6-dev-arm64-cross
# gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64. Node-API headers and the
# Windows .def come from the node-api-headers dev dependency, so no Node
# source tree or download is involved.
#
# The output is byte-for-byte reproducible for a given toolchain (no
# timestamps, no build paths, stripped); CI rebuilds and diffs it against the
# committed copies.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

for tool in gcc musl-gcc aarch64-linux-gnu-gcc x86_64-w64-mingw32-gcc x86_64-w64-mingw32-dlltool; do
  command -v "$tool" >/dev/null || { echo "prebuild: $tool not found (see scripts/prebuild.sh for the packages)" >&2; exit 1; }
done
headers=$(node -p 'require("node-api-headers").include_dir')
def=$(node -p 'require("node-api-headers").def_paths.node_api_def')

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

common=(-std=gnu11 -O2 -Wall -Wextra -Werror -fvisibility=hidden -DNAPI_VERSION=8 -DBUILDING_NODE_EXTENSION
        -I"$headers" -ffile-prefix-map="$root"=. -fno-ident)
posix=(native/binding.c native/lock_posix.c native/io_posix.c native/pipeline_posix.c native/fd_posix.c)
linux=(-shared -fPIC -pthread -D_FILE_OFFSET_BITS=64 -D_LARGEFILE_SOURCE -s -Wl,--build-id=none -Wl,-z,noexecstack)

mkdir -p prebuilds/linux-x64 prebuilds/linux-arm64 prebuilds/win32-x64

# The no-longer-separate libpthread must still be named for glibc < 2.34.
gcc "${common[@]}" "${linux[@]}" -include native/glibc_compat.h "${posix[@]}" \
  -Wl,--no-as-needed -lpthread -o prebuilds/linux-x64/node.napi.glibc.node
aarch64-linux-gnu-gcc "${common[@]}" "${linux[@]}" -include native/glibc_compat.h "${posix[@]}" \
  -Wl,--no-as-needed -lpthread -o prebuilds/linux-arm64/node.napi.glibc.node
musl-gcc "${common[@]}" "${linux[@]}" "${posix[@]}" -o prebuilds/linux-x64/node.napi.musl.node

# Windows: Node-API and the five libuv calls the backend uses, imported from
# node.exe through a delay-load library (-y); native/win_delay_load.c points
# that name at whatever executable is running.
{ cat "$def"; printf '\nuv_fs_close\nuv_fs_req_cleanup\nuv_get_osfhandle\nuv_open_osfhandle\nuv_translate_sys_error\n'; } | tr -d '\r' > "$work/node.def"
(cd "$work" && x86_64-w64-mingw32-dlltool -d node.def -y libnode_delay.a --temp-prefix node_delay)
x86_64-w64-mingw32-gcc "${common[@]}" -shared -s -static-libgcc \
  native/binding.c native/lock_win32.c native/io_win32.c native/win_delay_load.c \
  -L"$work" -lnode_delay -Wl,--no-insert-timestamp -Wl,--disable-reloc-section \
  -o prebuilds/win32-x64/node.napi.node

for f in prebuilds/*/*.node; do echo "prebuild: $f ($(wc -c <"$f") bytes)"; done
