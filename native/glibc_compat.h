/*
 * glibc_compat.h: pins glibc symbol versions so the prebuilt Linux binaries
 * load on glibc 2.17 (RHEL 7, Ubuntu 18.04 and later), whatever glibc builds
 * them. Force-included (-include) by scripts/prebuild.sh for glibc targets
 * only; the sources do not know about it and node-gyp builds do not use it.
 *
 * glibc 2.34 moved the pthread functions into libc under new default
 * versions, and 2.33 added fstat/lstat as real exports (before, they were
 * inline wrappers of __fxstat64/__lxstat64). Linking against the old
 * versions is what a binary built on an old system would do.
 * test/platform/prebuilds.test.ts checks the highest GLIBC_ version needed.
 */
#ifndef EXLAB_GLIBC_COMPAT_H
#define EXLAB_GLIBC_COMPAT_H

/* Included ahead of every source, so it must ask for what they ask for
 * (lock_posix.c needs the GNU extensions); the same empty definition again
 * is not a redefinition. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#if defined(__x86_64__)
#define EXLAB_GLIBC_BASE "GLIBC_2.2.5"
#define EXLAB_STAT_VER 1
#elif defined(__aarch64__)
#define EXLAB_GLIBC_BASE "GLIBC_2.17"
#define EXLAB_STAT_VER 0
#else
#error "glibc_compat.h: no pinned versions for this architecture"
#endif

#define EXLAB_PIN(sym, ver) __asm__(".symver " #sym "," #sym "@" ver)

EXLAB_PIN(pthread_create, EXLAB_GLIBC_BASE);
EXLAB_PIN(pthread_join, EXLAB_GLIBC_BASE);
EXLAB_PIN(pthread_detach, EXLAB_GLIBC_BASE);
EXLAB_PIN(pthread_kill, EXLAB_GLIBC_BASE);
EXLAB_PIN(pthread_once, EXLAB_GLIBC_BASE);
EXLAB_PIN(pthread_sigmask, EXLAB_GLIBC_BASE);
EXLAB_PIN(pthread_attr_setstacksize, EXLAB_GLIBC_BASE);
EXLAB_PIN(pthread_mutex_trylock, EXLAB_GLIBC_BASE);
EXLAB_PIN(pthread_key_create, EXLAB_GLIBC_BASE);
EXLAB_PIN(pthread_key_delete, EXLAB_GLIBC_BASE);
EXLAB_PIN(pthread_getspecific, EXLAB_GLIBC_BASE);
EXLAB_PIN(pthread_setspecific, EXLAB_GLIBC_BASE);
#if defined(__x86_64__)
EXLAB_PIN(pthread_setname_np, "GLIBC_2.12");
EXLAB_PIN(pthread_condattr_setclock, "GLIBC_2.3.3");
#else
EXLAB_PIN(pthread_setname_np, EXLAB_GLIBC_BASE);
EXLAB_PIN(pthread_condattr_setclock, EXLAB_GLIBC_BASE);
#endif
EXLAB_PIN(__fxstat64, EXLAB_GLIBC_BASE);
EXLAB_PIN(__lxstat64, EXLAB_GLIBC_BASE);
EXLAB_PIN(__xstat64, EXLAB_GLIBC_BASE);

#include <sys/stat.h>

struct stat64;
extern int __fxstat64(int ver, int fd, struct stat64 *buf);
extern int __lxstat64(int ver, const char *path, struct stat64 *buf);
extern int __xstat64(int ver, const char *path, struct stat64 *buf);

/* With _FILE_OFFSET_BITS=64 on these 64-bit targets struct stat is struct
 * stat64, so the casts only restate the type. */
static inline int exlab_fstat(int fd, struct stat *buf) { return __fxstat64(EXLAB_STAT_VER, fd, (struct stat64 *)buf); }
static inline int exlab_lstat(const char *path, struct stat *buf) { return __lxstat64(EXLAB_STAT_VER, path, (struct stat64 *)buf); }
static inline int exlab_stat(const char *path, struct stat *buf) { return __xstat64(EXLAB_STAT_VER, path, (struct stat64 *)buf); }
#define fstat exlab_fstat
#define lstat exlab_lstat
#define stat(p, b) exlab_stat(p, b)

#endif
