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
 *   winlock deleting <file> <ready> <release>
 *       a delete in progress: holds <file> open for deletion (DELETE access,
 *       everything shared, as DeleteFileW opens it) until <release> exists,
 *       then marks it for deletion and closes it
 *   winlock <delete|wunlink> <file>
 *       removes <file> as filelock's release does (DeleteFileW, which is what
 *       Python's os.remove calls) or through the C runtime (_wunlink):
 *       exit 0 removed, 4 refused; prints the error
 *   winlock count <sidecar> <counter> <stop>
 *       filelock 3.x's acquire and release in a tight loop until <stop>
 *       exists: open (retrying EACCES), msvcrt lock byte 0 (retrying while
 *       busy), add 1 to the number in <counter> in place, unlock, close,
 *       delete the sidecar (a failure ignored, as filelock suppresses it);
 *       prints "<increments> <deletes refused> <deletes failed otherwise>",
 *       refused meaning a sharing violation: another handle on the sidecar
 *       does not share deletion
 * Exit 2 on any other failure. Results are exit codes and files only.
 */
#include <windows.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
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

static wchar_t *wide(const char *s) {
  static wchar_t buf[2][MAX_PATH * 2];
  static int next;
  wchar_t *out = buf[next++ & 1];
  if (MultiByteToWideChar(CP_ACP, 0, s, -1, out, MAX_PATH * 2) == 0) out[0] = 0;
  return out;
}

/* Read the decimal number in `counter` (0 when missing or empty) and write
 * it back plus one, in place, through one handle. */
static int increment(const char *counter) {
  char text[32];
  DWORD got = 0, put = 0;
  long n;
  HANDLE h = CreateFileA(counter, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                         OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
  if (h == INVALID_HANDLE_VALUE) return 0;
  if (!ReadFile(h, text, sizeof text - 1, &got, NULL)) got = 0;
  text[got] = 0;
  n = strtol(text, NULL, 10) + 1;
  got = (DWORD)snprintf(text, sizeof text, "%ld", n);
  SetFilePointer(h, 0, NULL, FILE_BEGIN);
  if (!WriteFile(h, text, got, &put, NULL) || put != got || !SetEndOfFile(h)) {
    CloseHandle(h);
    return 0;
  }
  CloseHandle(h);
  return 1;
}

/* filelock 3.x's WindowsFileLock, acquire to release, until `stop` exists. */
static int count(const char *sidecar, const char *counter, const char *stop) {
  long done = 0, refused = 0, failed = 0;
  while (GetFileAttributesA(stop) == INVALID_FILE_ATTRIBUTES) {
    int fd = _wsopen(wide(sidecar), _O_RDWR | _O_CREAT, _SH_DENYNO, _S_IREAD | _S_IWRITE);
    if (fd < 0) {
      if (errno != EACCES) return 2;
      Sleep(1); /* a name pending deletion: filelock tries again */
      continue;
    }
    if (_locking(fd, _LK_NBLCK, 1) != 0) {
      _close(fd);
      Sleep(1);
      continue;
    }
    if (!increment(counter)) return 2;
    done++;
    _lseek(fd, 0, SEEK_SET);
    _locking(fd, _LK_UNLCK, 1);
    _close(fd);
    if (!DeleteFileW(wide(sidecar))) {
      if (GetLastError() == ERROR_SHARING_VIOLATION) refused++;
      else failed++;
    }
  }
  printf("%ld %ld %ld\n", done, refused, failed);
  return 0;
}

int main(int argc, char **argv) {
  int msvcrt, hold;
  if (argc == 3 && (strcmp(argv[1], "delete") == 0 || strcmp(argv[1], "wunlink") == 0)) {
    if (strcmp(argv[1], "delete") == 0) {
      if (DeleteFileW(wide(argv[2]))) return 0;
      printf("DeleteFileW error %lu\n", GetLastError());
    } else {
      if (_wunlink(wide(argv[2])) == 0) return 0;
      printf("_wunlink errno %d\n", errno);
    }
    return 4;
  }
  if (argc == 5 && strcmp(argv[1], "count") == 0) return count(argv[2], argv[3], argv[4]);
  if (argc == 5 && strcmp(argv[1], "deleting") == 0) {
    FILE_DISPOSITION_INFO gone = {TRUE};
    HANDLE h = CreateFileA(argv[2], DELETE, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL, OPEN_EXISTING, 0, NULL);
    if (h == INVALID_HANDLE_VALUE) return 2;
    touch(argv[3]);
    wait_for(argv[4]);
    if (!SetFileInformationByHandle(h, FileDispositionInfo, &gone, sizeof gone)) return 2;
    CloseHandle(h);
    return 0;
  }
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
