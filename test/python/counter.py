"""Increment the number in <path> <times> times, each read-modify-write under
filelock.FileLock(<path>.lock), writing by tempfile + fsync + os.replace as
the Python application does."""
import os
import sys
import tempfile

from filelock import FileLock

path, times = sys.argv[1], int(sys.argv[2])
directory = os.path.dirname(path)
for _ in range(times):
    with FileLock(path + ".lock"):
        try:
            with open(path, encoding="utf-8") as f:
                n = int(f.read() or "0")
        except FileNotFoundError:
            n = 0
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=os.path.basename(path) + ".", suffix=".tmp")
        with os.fdopen(fd, "w") as f:
            f.write(str(n + 1))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
print("done", flush=True)
