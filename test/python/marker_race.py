"""Print "ready", wait for "go" on stdin, then write the first marker <path>
with project <project> the way the Python application would: under
filelock.FileLock(<path>.lock), only when absent, by tempfile + fsync +
os.replace. Print "true" when this process wrote it, else "false"."""
import json
import os
import sys
import tempfile

from filelock import FileLock

path, project = sys.argv[1], sys.argv[2]
print("ready", flush=True)
sys.stdin.readline()
os.makedirs(os.path.dirname(path), exist_ok=True)
with FileLock(path + ".lock"):
    if os.path.exists(path):
        print("false", flush=True)
        sys.exit(0)
    record = {"schema_version": "1.0", "run_kind": "test", "created_at": "2026-04-17T14:00:00Z", "project": project, "equipment": "CONFOCAL_01"}
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=os.path.basename(path) + ".", suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        f.write(json.dumps(record, separators=(",", ":")))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
print("true", flush=True)
