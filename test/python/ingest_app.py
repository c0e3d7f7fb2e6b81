"""Advance ingest.json at <path> to <state> as the application's
append_state_transition does (cache-family §6.4): filelock.FileLock on
<path>.lock with no timeout for the whole cycle, read and decode, check the
one allowed successor of current_state, append {state, at, host}, keep only
the known top-level keys and the file's own schema_version, write a mkstemp
temp file, fsync, os.replace. Prints "ready", waits for a line on stdin,
then prints "ok" or "illegal"."""
import json
import os
import sys
import tempfile
import time

from filelock import FileLock

NEXT = {"staging": "complete", "complete": "sync_queued", "sync_queued": "sync_verified", "sync_verified": "cleared"}
KNOWN = ["schema_version", "project_name", "equipment_id", "run_kind", "run_path", "transport", "current_state", "history"]

path, state, host = sys.argv[1], sys.argv[2], sys.argv[3]
print("ready", flush=True)
sys.stdin.readline()
with FileLock(path + ".lock"):
    with open(path, encoding="utf-8") as f:
        record = json.load(f)
    if NEXT.get(record["current_state"]) != state:
        print("illegal", flush=True)
        sys.exit(0)
    history = list(record.get("history", []))
    history.append({"state": state, "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "host": host})
    record["current_state"] = state
    record["history"] = history
    out = {k: record[k] for k in KNOWN if k in record}
    directory, name = os.path.split(path)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=name + ".", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(json.dumps(out, ensure_ascii=False, separators=(",", ":")))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
print("ok", flush=True)
