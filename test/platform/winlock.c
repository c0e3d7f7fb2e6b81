/*
 * winlock.c: a stand-in for Python's filelock on Windows, for the wine lane.
 * filelock 3.x locks byte 0 of the sidecar with msvcrt.locking, 4.x with
 * LockFileEx(offset 0, length 1); both delete the sidecar after release.
 *
 *   winlock <msvcrt|lockfileex> try  <sidecar>                 exit 0 got it (released), 3 busy
 *   winlock <msvcrt|lockfileex> hold <sidecar> <ready> <release>
 *       takes the lock (exit 3 if busy), creates <ready>, waits for <release>
 *       to exist, unlocks, closes and deletes the sidecar as filelock does
 *   winlock share-read <file> <ready> <release>
 *       holds <file> open without FILE_SHARE_DELETE (as a scanner or a
 *       reader would) until <release> exists
 * Exit 2 on any other failure. Results are exit codes and files only.
 */
#include <windows.h>
#include <fcntl.h>
#include <io.h>
#include <share.h>
#include <stdio.h>
#include <string.h>
#include <sys/locking.h>
#include <sys/stat.h>

static void touch(const char *path) {
  HANDLE h = CreateFileA(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
  if (h != INVALID_HANDLE_VALUE) CloseHandle(h);
}

static void wait_for(const char *path) {
  while (GetFileAttributesA(path) == INVALID_FILE_ATTRIBUTES) Sleep(5);
}

int main(int argc, char **argv) {
  int msvcrt, hold;
  if (argc == 5 && strcmp(argv[1], "share-read") == 0) {
    HANDLE h = CreateFileA(argv[2], GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    if (h == INVALID_HANDLE_VALUE) return 2;
    touch(argv[3]);
    wait_for(argv[4]);
    CloseHandle(h);
    return 0;
  }
  if (argc < 4) return 2;
  msvcrt = strcmp(argv[1], "msvcrt") == 0;
  hold = strcmp(argv[2], "hold") == 0;
  if (hold && argc != 6) return 2;
  if (msvcrt) {
    int fd = _sopen(argv[3], _O_RDWR | _O_CREAT | _O_TRUNC, _SH_DENYNO, _S_IREAD | _S_IWRITE);
    if (fd < 0) return 2;
    if (_locking(fd, _LK_NBLCK, 1) != 0) {
      _close(fd);
      return 3;
    }
    if (hold) {
      touch(argv[4]);
      wait_for(argv[5]);
    }
    _lseek(fd, 0, SEEK_SET);
    _locking(fd, _LK_UNLCK, 1);
    _close(fd);
  } else {
    OVERLAPPED ov;
    HANDLE h = CreateFileA(argv[3], GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                           NULL, OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    if (h == INVALID_HANDLE_VALUE) return 2;
    memset(&ov, 0, sizeof ov);
    if (!LockFileEx(h, LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &ov)) {
      CloseHandle(h);
      return 3;
    }
    if (hold) {
      touch(argv[4]);
      wait_for(argv[5]);
    }
    UnlockFileEx(h, 0, 1, 0, &ov);
    CloseHandle(h);
  }
  if (hold) DeleteFileA(argv[3]);
  return 0;
}
