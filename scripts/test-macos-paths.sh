#!/usr/bin/env bash
# Runs the whole test suite against an addon built the way macOS builds it,
# on Linux, where macOS itself cannot be had:
#
#   -DEXLAB_NO_RT_SIGNALS  no real-time signals (macOS has no SIGRTMIN): lock
#                          waits use the polling waiter thread. The suite's
#                          native test checks the loaded addon reports
#                          waitMethod "poll-thread", so a wrong binary fails.
#   -DF_FULLFSYNC=51       durable writes call fcntl(F_FULLFSYNC) with Apple's
#                          command number, which Linux refuses with EINVAL, so
#                          every durable write takes the fsync fallback (the
#                          strace test still demands both fsyncs).
#
# Afterwards the addon in use is what it was before, whatever happens: the
# local build is rebuilt normally, or removed when there was none (the
# prebuilt binary is then loaded again).
set -euo pipefail
cd "$(dirname "$0")/.."

rebuild() { npm exec -c "node-gyp rebuild" >/dev/null; }
if [ -d build/Release ]; then
  trap 'echo "macos-paths: restoring the normal addon build"; rebuild' EXIT
else
  trap 'echo "macos-paths: removing the test build (the prebuilt binary is used again)"; rm -rf build' EXIT
fi

echo "macos-paths: building the addon with -DEXLAB_NO_RT_SIGNALS -DF_FULLFSYNC=51"
CFLAGS="${CFLAGS:-} -DEXLAB_NO_RT_SIGNALS -DF_FULLFSYNC=51" rebuild
EXLAB_EXPECT_WAIT_METHOD=poll-thread npm run test:run
