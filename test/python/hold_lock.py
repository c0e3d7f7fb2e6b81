"""Hold filelock.FileLock(<path>.lock) the way the Python application does,
print "locked", and release on a "release" line from stdin."""
import sys

from filelock import FileLock

path = sys.argv[1]
with FileLock(path + ".lock"):
    print("locked", flush=True)
    for line in sys.stdin:
        if line.strip() == "release":
            break
print("released", flush=True)
