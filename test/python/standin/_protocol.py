"""The Unix locking protocol of one Python ``filelock`` version, written
from its documented behaviour (see SPEC's table of versions), so that the
lock-interop tests can meet each protocol on any machine with python3.

Each ``filelock-<version>/filelock`` package beside this file is a
stand-in for that version: ``FileLock(path, timeout=-1)`` as a context
manager, ``Timeout``, and a ``__version__`` that says it is a stand-in.
What differs between versions:

- 3.9:  open O_RDWR|O_CREAT|O_TRUNC (mode 0o644); flock; nothing after;
        release: unlock, close; the file is kept.
- 3.29: open O_RDWR|O_TRUNC|O_NOFOLLOW|O_CREAT, without O_CREAT again on
        EACCES; flock; an inode no longer linked (st_nlink == 0) is
        dropped and the attempt made again; release: unlink the path,
        then unlock, close.
- 4:    open O_RDWR|O_NOFOLLOW|O_CREAT (mode 0o666, umask decides); flock;
        the st_nlink check; truncate only once the lock is won;
        release: unlock, close; the file is kept.

All of them poll a non-blocking flock, 50 ms apart by default.
"""

import errno
import fcntl
import os
import time


class Timeout(TimeoutError):
    """The lock could not be had within the timeout."""

    def __init__(self, lock_file):
        super().__init__(f"The file lock '{lock_file}' could not be acquired.")
        self.lock_file = lock_file


def _open_flags(version):
    if version == "3.9":
        return os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644
    if version == "3.29":
        return os.O_RDWR | os.O_TRUNC | os.O_NOFOLLOW | os.O_CREAT, 0o644
    return os.O_RDWR | os.O_NOFOLLOW | os.O_CREAT, 0o666


def make(version):
    """The FileLock class of protocol ``version`` ("3.9", "3.29" or "4")."""
    flags, mode = _open_flags(version)

    class FileLock:
        def __init__(self, lock_file, timeout=-1, poll_interval=0.05):
            self.lock_file = os.fspath(lock_file)
            self.timeout = timeout
            self.poll_interval = poll_interval
            self._fd = None

        @property
        def is_locked(self):
            return self._fd is not None

        def _open(self):
            try:
                return os.open(self.lock_file, flags, mode)
            except PermissionError:
                if version != "3.29":
                    raise
                return os.open(self.lock_file, flags & ~os.O_CREAT)

        def _try_once(self):
            fd = self._open()
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as err:
                os.close(fd)
                if err.errno in (errno.EAGAIN, errno.EWOULDBLOCK):
                    return None
                raise
            if version != "3.9" and os.fstat(fd).st_nlink == 0:
                # Won a file somebody has unlinked: not the lock of the path.
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)
                return None
            if version == "4":
                os.ftruncate(fd, 0)
            return fd

        def acquire(self, timeout=None, poll_interval=None):
            timeout = self.timeout if timeout is None else timeout
            poll = self.poll_interval if poll_interval is None else poll_interval
            start = time.monotonic()
            while self._fd is None:
                self._fd = self._try_once()
                if self._fd is not None:
                    break
                if 0 <= timeout <= time.monotonic() - start:
                    raise Timeout(self.lock_file)
                time.sleep(poll)
            return self

        def release(self):
            fd, self._fd = self._fd, None
            if fd is None:
                return
            if version == "3.29":
                try:
                    os.unlink(self.lock_file)
                except OSError:
                    pass
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

        def __enter__(self):
            return self.acquire()

        def __exit__(self, *exc):
            self.release()

    return FileLock
