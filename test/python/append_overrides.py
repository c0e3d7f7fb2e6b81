"""Append <times> override entries to the creation.json at <path>, each by a
read-mutate-write under filelock.FileLock(<path>.lock), writing as the Python
application does (tempfile.mkstemp + fsync + os.replace, compact JSON). Each
entry's id is a fresh UUID v4 and its reason names <tag> and the count, so a
lost update shows up as a missing reason."""
import json
import os
import sys
import tempfile
import uuid

from filelock import FileLock

path, times, tag = sys.argv[1], int(sys.argv[2]), sys.argv[3]
directory = os.path.dirname(path)
print("ready", flush=True)
sys.stdin.readline()
for i in range(times):
    with FileLock(path + ".lock", timeout=60):
        with open(path, encoding="utf-8") as f:
            record = json.load(f)
        record.setdefault("validation_overrides", []).append({
            "id": str(uuid.uuid4()),
            "problem_class": "orphan",
            "operator": tag,
            "recorded_at": "2026-04-18T09:14:22Z",
            "reason": f"appended by {tag} #{i}",
            "revoked": False,
            "expires_at": None,
        })
        record["schema_version"] = "1.9"
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=os.path.basename(path) + ".", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
print("done", flush=True)
