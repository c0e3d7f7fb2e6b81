/*
 * The physical floor of the benchmarks: the write recipe of the cache
 * (SPEC "How every cache write happens") as plain syscalls, with nothing
 * between them. Whatever a contender spends above this is its own overhead.
 *
 * Per write: open the sidecar `path + ".lock"` (O_CREAT), blocking flock, read
 * the old file, open `<name>.<pid>-<n>.tmp` with O_EXCL, write, fsync, close,
 * rename over the file, open + fsync + close the directory, unlock, close the
 * sidecar. The sidecar is opened per write (as every other contender does) and
 * never unlinked.
 *
 * Protocol (shared with every bench worker): print "ready", wait for a line on
 * stdin, work, print one JSON line of CLOCK_MONOTONIC nanoseconds.
 *
 *   floor rewrite <path> <count> <pause_us>
 *   floor update <path> <count> <pause_us>    a creation.json read-modify-write
 *       "go" -> {"start":..,"end":..,"lat":[..]}
 *   floor marker
 *       repeated "<path> <created_second>" -> {"won":0|1,"start":..,"end":..}
 *       until end of input
 *   floor append <path> <count> <line_bytes>
 *       "go" -> {"start":..,"end":..,"lat":[..]}: per line, open with
 *       O_WRONLY|O_CREAT|O_APPEND, one write of a line of <line_bytes> bytes
 *       (newline included), close: the log append as plain syscalls.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static unsigned long tmp_counter;

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void die(const char *what, const char *path) {
  fprintf(stderr, "floor: %s %s: %s\n", what, path, strerror(errno));
  exit(1);
}

static int lock_sidecar(const char *path) {
  char lock[4096];
  int fd;
  snprintf(lock, sizeof lock, "%s.lock", path);
  fd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) die("open", lock);
  while (flock(fd, LOCK_EX) != 0) {
    if (errno != EINTR) die("flock", lock);
  }
  return fd;
}

static void unlock_sidecar(int fd) {
  flock(fd, LOCK_UN);
  close(fd);
}

/* The directory part of `path` ("." when there is none). */
static void dir_of(const char *path, char *out, size_t size) {
  const char *slash = strrchr(path, '/');
  if (slash == NULL) {
    snprintf(out, size, ".");
  } else {
    snprintf(out, size, "%.*s", (int)(slash - path), path);
  }
}

/* temp O_EXCL -> write -> fsync -> close -> rename -> fsync(dir) */
static void atomic_replace(const char *path, const char *data, size_t len) {
  char tmp[4200], dir[4096];
  int fd, dfd;
  for (;;) {
    snprintf(tmp, sizeof tmp, "%s.%d-%lu.tmp", path, (int)getpid(), tmp_counter++);
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd >= 0) break;
    if (errno != EEXIST) die("open", tmp);
  }
  if (write(fd, data, len) != (ssize_t)len) die("write", tmp);
  if (fsync(fd) != 0) die("fsync", tmp);
  if (close(fd) != 0) die("close", tmp);
  if (rename(tmp, path) != 0) die("rename", tmp);
  dir_of(path, dir, sizeof dir);
  dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) die("open", dir);
  if (fsync(dfd) != 0) die("fsync", dir);
  close(dfd);
}

static void utc_stamp(char *out, size_t size) {
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* One equipment.json rewrite: keep first_seen_at from the old file (found by
 * a plain search: the floor measures I/O, not parsing), stamp now. */
static void rewrite_once(const char *path) {
  char old[8192], first[32], now[32], text[1024];
  int lfd = lock_sidecar(path), fd, n;
  ssize_t got = 0, r;
  const char *at;
  utc_stamp(now, sizeof now);
  snprintf(first, sizeof first, "%s", now);
  fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    while ((r = read(fd, old + got, sizeof old - 1 - (size_t)got)) > 0) got += r;
    close(fd);
    old[got] = '\0';
    at = strstr(old, "\"first_seen_at\":\"");
    if (at != NULL) snprintf(first, sizeof first, "%.20s", at + 17);
  } else if (errno != ENOENT) {
    die("open", path);
  }
  n = snprintf(text, sizeof text,
               "{\"schema_version\":\"1.0\",\"id\":\"CONFOCAL_01\",\"label\":\"Confocal Microscope 1\","
               "\"configured_local_root\":\"/data/lab\",\"configured_nas_root\":\"//nas01/lab\","
               "\"first_seen_at\":\"%s\",\"last_modified_at\":\"%s\"}",
               first, now);
  atomic_replace(path, text, (size_t)n);
  unlock_sidecar(lfd);
}

/* One creation.json update: read the whole file under the lock and write it
 * back (the floor measures I/O, not parsing or editing). */
static void update_once(const char *path) {
  static char old[1 << 16];
  int lfd = lock_sidecar(path), fd;
  ssize_t got = 0, r;
  fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) die("open", path);
  while ((r = read(fd, old + got, sizeof old - (size_t)got)) > 0) got += r;
  close(fd);
  atomic_replace(path, old, (size_t)got);
  unlock_sidecar(lfd);
}

static int create_marker_once(const char *path, int second) {
  char text[512];
  struct stat st;
  int lfd = lock_sidecar(path), won = 0, n;
  if (lstat(path, &st) != 0) {
    if (errno != ENOENT) die("lstat", path);
    n = snprintf(text, sizeof text,
                 "{\"schema_version\":\"1.0\",\"run_kind\":\"test\",\"created_at\":\"2026-04-17T14:00:%02dZ\","
                 "\"project\":\"PROJ-0042\",\"equipment\":\"CONFOCAL_01\"}",
                 second);
    atomic_replace(path, text, (size_t)n);
    won = 1;
  }
  unlock_sidecar(lfd);
  return won;
}

static void wait_go(void) {
  char line[64];
  printf("ready\n");
  fflush(stdout);
  if (fgets(line, sizeof line, stdin) == NULL) exit(2);
}

/* One timed run as the bench reads it: {"start","end","lat":[ns...]}. */
static void print_latencies(long long start, long long end, const long long *lat, long count) {
  long i;
  printf("{\"start\":%lld,\"end\":%lld,\"lat\":[", start, end);
  for (i = 0; i < count; i++) printf(i == 0 ? "%lld" : ",%lld", lat[i]);
  printf("]}\n");
}

static int run_rewrite(const char *path, long count, long pause_us, void (*once)(const char *)) {
  long long *lat = calloc((size_t)count, sizeof *lat), start, end, t0;
  struct timespec pause = {pause_us / 1000000, (pause_us % 1000000) * 1000};
  long i;
  if (lat == NULL) return 1;
  wait_go();
  start = now_ns();
  for (i = 0; i < count; i++) {
    if (i > 0 && pause_us > 0) nanosleep(&pause, NULL);
    t0 = now_ns();
    once(path);
    lat[i] = now_ns() - t0;
  }
  end = now_ns();
  print_latencies(start, end, lat, count);
  free(lat);
  return 0;
}

static int run_marker(void) {
  char line[4200], path[4096];
  int second, won;
  long long t0, t1;
  printf("ready\n");
  fflush(stdout);
  while (fgets(line, sizeof line, stdin) != NULL) {
    if (sscanf(line, "%4095s %d", path, &second) != 2) return 2;
    t0 = now_ns();
    won = create_marker_once(path, second);
    t1 = now_ns();
    printf("{\"won\":%d,\"start\":%lld,\"end\":%lld}\n", won, t0, t1);
    fflush(stdout);
  }
  return 0;
}

static int run_append(const char *path, long count, long line_bytes) {
  long long *lat = calloc((size_t)count, sizeof *lat), start, end, t0;
  char *line = malloc((size_t)line_bytes + 64);
  char stamp[32];
  long i;
  int fd, n;
  if (lat == NULL || line == NULL || line_bytes < 48) return 1;
  wait_go();
  start = now_ns();
  for (i = 0; i < count; i++) {
    t0 = now_ns();
    utc_stamp(stamp, sizeof stamp);
    n = snprintf(line, (size_t)line_bytes + 64, "%s [INFO ] [host:floor] %ld:", stamp, i);
    while (n < line_bytes - 1) line[n++] = 'x';
    line[n++] = '\n';
    fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
    if (fd < 0) die("open", path);
    if (write(fd, line, (size_t)n) != n) die("write", path);
    close(fd);
    lat[i] = now_ns() - t0;
  }
  end = now_ns();
  print_latencies(start, end, lat, count);
  free(lat);
  free(line);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 5 && strcmp(argv[1], "rewrite") == 0) {
    return run_rewrite(argv[2], atol(argv[3]), atol(argv[4]), rewrite_once);
  }
  if (argc == 5 && strcmp(argv[1], "update") == 0) {
    return run_rewrite(argv[2], atol(argv[3]), atol(argv[4]), update_once);
  }
  if (argc == 2 && strcmp(argv[1], "marker") == 0) return run_marker();
  if (argc == 5 && strcmp(argv[1], "append") == 0) return run_append(argv[2], atol(argv[3]), atol(argv[4]));
  fprintf(stderr, "usage: floor rewrite|update <path> <count> <pause_us> | floor marker | floor append <path> <count> <line_bytes>\n");
  return 2;
}
