"""Try filelock.FileLock(<path>.lock) without waiting; print "acquired" or "busy"."""
import sys

from filelock import FileLock, Timeout

try:
    with FileLock(sys.argv[1] + ".lock", timeout=0):
        print("acquired", flush=True)
except Timeout:
    print("busy", flush=True)
