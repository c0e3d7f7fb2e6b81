"""The Python application's cache recipe, as a bench worker.

Writes follow the application's equipment write: an exclusive
``filelock.FileLock(path + ".lock")`` polled every 50 ms and held for the
read-modify-write, the current file read back to keep its ``first_seen_at``,
the record encoded, a temp file from ``tempfile.mkstemp`` in the same
directory, write, fsync, ``os.replace``. There is no directory fsync (the
application has none). Encoding and decoding use stdlib ``json``: the
application uses msgspec, which Debian 12 does not package.

Two ways to call a write. The application always goes through its event
loop, ``await asyncio.to_thread(write)`` per write (modes ``app-rewrite``
and ``app-marker``); the plain modes call the same write synchronously, a
reference for what the thread hand-off costs. Reads are the application's
read path: ``await asyncio.to_thread(read_and_decode)``, one at a time or
with several in flight, each decode checking field types only.

Same line protocol as every bench worker: print ``ready``, wait for a line,
answer JSON lines with CLOCK_MONOTONIC nanoseconds.

    recipe.py rewrite <path> <count> <pause_ms>       "go" -> {start, end, lat}
    recipe.py update <path> <count> <pause_ms>        "go" -> {start, end, lat}  (creation.json)
    recipe.py app-update <path> <count> <pause_ms>    "go" -> {start, end, lat}
    recipe.py app-rewrite <path> <count> <pause_ms>   "go" -> {start, end, lat}
    recipe.py marker                                  "<path> <racer>" -> {won, start, end}
    recipe.py app-marker                              "<path> <racer>" -> {won, start, end}
    recipe.py read <path> <count> <in_flight>         "go" -> {start, end, lat}
    recipe.py log-append <path> <count> <line_bytes>  "go" -> {start, end, lat}
    recipe.py advance <dir> <count> <pause_ms>        "go" -> {start, end, lat}  (ingest.json)
    recipe.py app-advance <dir> <count> <pause_ms>    "go" -> {start, end, lat}

``advance`` is the application's ``append_state_transition``: under the
lock (no timeout), read and decode, check the one allowed successor, append
``{state, at, host}`` (and the counts for ``complete``), keep the known
top-level keys, encode, replace. It runs through ceil(count / 4) files made
before ``ready``, each from ``staging`` to ``cleared``.

``log-append`` is the application's ``append_log_line``: per line,
``open(path, "a", encoding="utf-8")`` and one write of the line and its
newline, called synchronously as its one caller does.
"""

import asyncio
import dataclasses
import json
import os
import sys
import tempfile
import time

from filelock import FileLock

EQUIPMENT = {
    "id": "CONFOCAL_01",
    "label": "Confocal Microscope 1",
    "configured_local_root": "/data/lab",
    "configured_nas_root": "//nas01/lab",
}


@dataclasses.dataclass(frozen=True)
class EquipmentRecord:
    schema_version: str
    id: str
    label: str
    configured_local_root: str
    configured_nas_root: str
    first_seen_at: str
    last_modified_at: str


def now_ns():
    return time.monotonic_ns()


def utc_now():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def emit_line(text):
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def emit(value):
    emit_line(json.dumps(value, separators=(",", ":")))


def ready_then_go():
    emit_line("ready")
    sys.stdin.readline()


def atomic_write(path, text):
    directory, name = os.path.split(path)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def encode(record):
    return json.dumps(record, separators=(",", ":"))


# The application's lock wait: try, sleep 50 ms, try again.
POLL_SECONDS = 0.05


def lock_for(path):
    return FileLock(path + ".lock", poll_interval=POLL_SECONDS)


def rewrite_once(path):
    with lock_for(path):
        now = utc_now()
        first_seen_at = now
        try:
            with open(path, encoding="utf-8") as f:
                first_seen_at = json.load(f).get("first_seen_at", now)
        except FileNotFoundError:
            pass
        record = dict(schema_version="1.0", **EQUIPMENT, first_seen_at=first_seen_at, last_modified_at=now)
        atomic_write(path, encode(record))


def update_once(path):
    """The application's creation.json update: under the lock, read and
    decode, flip sync_status, encode, replace (a mutator as its gate and
    sync callers make)."""
    with lock_for(path):
        with open(path, encoding="utf-8") as f:
            record = json.load(f)
        record["sync_status"] = "synced" if record.get("sync_status") != "synced" else "failed"
        record["schema_version"] = "1.9"
        atomic_write(path, json.dumps(record, ensure_ascii=False, separators=(",", ":")))


INGEST_NEXT = {"staging": "complete", "complete": "sync_queued", "sync_queued": "sync_verified", "sync_verified": "cleared"}
INGEST_KEYS = ["schema_version", "project_name", "equipment_id", "run_kind", "run_path", "transport", "current_state", "history"]
INGEST_STEPS = ["complete", "sync_queued", "sync_verified", "cleared"]


def ingest_paths(directory, count):
    """Bootstrap files for `count` advances (untimed)."""
    paths = []
    for i in range((count + 3) // 4):
        folder = os.path.join(directory, "run-%d" % i, ".exlab-wizard")
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, "ingest.json")
        record = {
            "schema_version": "1.1",
            "project_name": "Cortex Q3 Pilot",
            "equipment_id": "CONFOCAL_01",
            "run_kind": "experimental",
            "run_path": "CONFOCAL_01/PROJ-0042/Runs/Run_2026-04-17T14-32",
            "transport": "smb_mount",
            "current_state": "staging",
            "history": [{"state": "staging", "at": utc_now(), "host": "bench"}],
        }
        atomic_write(path, encode(record))
        paths.append(path)
    return paths


def advance_once(path, state):
    with FileLock(path + ".lock"):
        with open(path, encoding="utf-8") as f:
            record = json.load(f)
        if INGEST_NEXT.get(record["current_state"]) != state:
            raise ValueError("illegal state transition %s -> %s" % (record["current_state"], state))
        entry = {"state": state, "at": utc_now(), "host": "bench"}
        if state == "complete":
            entry.update(files_received=142, bytes_received=48293847234)
        record["current_state"] = state
        record["history"] = list(record.get("history", [])) + [entry]
        out = {k: record[k] for k in INGEST_KEYS if k in record}
        atomic_write(path, json.dumps(out, ensure_ascii=False, separators=(",", ":")))


def run_advance(directory, count, pause_ms, app):
    paths = ingest_paths(directory, count)
    steps = [(paths[k // 4], INGEST_STEPS[k % 4]) for k in range(count)]
    if not app:
        ready_then_go()
        lat = []
        start = now_ns()
        for i, (path, state) in enumerate(steps):
            if i > 0 and pause_ms > 0:
                time.sleep(pause_ms / 1000)
            t0 = now_ns()
            advance_once(path, state)
            lat.append(now_ns() - t0)
        emit({"start": start, "end": now_ns(), "lat": lat})
        return

    async def loop():
        emit_line("ready")
        await asyncio.to_thread(sys.stdin.readline)
        lat = []
        start = now_ns()
        for i, (path, state) in enumerate(steps):
            if i > 0 and pause_ms > 0:
                await asyncio.sleep(pause_ms / 1000)
            t0 = now_ns()
            await asyncio.to_thread(advance_once, path, state)
            lat.append(now_ns() - t0)
        emit({"start": start, "end": now_ns(), "lat": lat})

    asyncio.run(loop())


def create_marker_once(path, racer):
    with lock_for(path):
        if os.path.exists(path):
            return False
        record = {
            "schema_version": "1.0",
            "run_kind": "test",
            "created_at": "2026-04-17T14:00:%02dZ" % racer,
            "project": "PROJ-0042",
            "equipment": "CONFOCAL_01",
        }
        atomic_write(path, encode(record))
        return True


def read_and_decode(path):
    with open(path, encoding="utf-8") as f:
        raw = json.load(f)
    fields = {}
    for field in dataclasses.fields(EquipmentRecord):
        value = raw.get(field.name)
        if not isinstance(value, str):
            raise ValueError("%s: %s must be a string" % (path, field.name))
        fields[field.name] = value
    return EquipmentRecord(**fields)


def run_rewrite(path, count, pause_ms, once=rewrite_once):
    ready_then_go()
    lat = []
    start = now_ns()
    for i in range(count):
        if i > 0 and pause_ms > 0:
            time.sleep(pause_ms / 1000)
        t0 = now_ns()
        once(path)
        lat.append(now_ns() - t0)
    emit({"start": start, "end": now_ns(), "lat": lat})


def run_marker():
    emit_line("ready")
    for line in sys.stdin:
        path, racer = line.split()
        start = now_ns()
        won = create_marker_once(path, int(racer))
        emit({"won": 1 if won else 0, "start": start, "end": now_ns()})


async def app_rewrites(path, count, pause_ms, once=rewrite_once):
    # The executor's first thread is started before "ready", as in an
    # application that has been running for a while.
    emit_line("ready")
    await asyncio.to_thread(sys.stdin.readline)
    lat = []
    start = now_ns()
    for i in range(count):
        if i > 0 and pause_ms > 0:
            await asyncio.sleep(pause_ms / 1000)
        t0 = now_ns()
        await asyncio.to_thread(once, path)
        lat.append(now_ns() - t0)
    emit({"start": start, "end": now_ns(), "lat": lat})


def run_app_rewrite(path, count, pause_ms, once=rewrite_once):
    asyncio.run(app_rewrites(path, count, pause_ms, once))


async def app_marker_once(path, racer):
    start = now_ns()
    won = await asyncio.to_thread(create_marker_once, path, racer)
    emit({"won": 1 if won else 0, "start": start, "end": now_ns()})


def run_app_marker():
    # One event loop for the racer's life; stdin is read between rounds,
    # outside the timed call.
    with asyncio.Runner() as runner:
        runner.run(asyncio.to_thread(lambda: None))
        emit_line("ready")
        for line in sys.stdin:
            path, racer = line.split()
            runner.run(app_marker_once(path, int(racer)))


async def read_lanes(path, count, in_flight):
    lat = [0] * count
    state = {"next": 0}

    async def lane():
        while state["next"] < count:
            i = state["next"]
            state["next"] += 1
            t0 = now_ns()
            await asyncio.to_thread(read_and_decode, path)
            lat[i] = now_ns() - t0

    start = now_ns()
    await asyncio.gather(*(lane() for _ in range(in_flight)))
    return start, lat


def run_read(path, count, in_flight):
    ready_then_go()
    start, lat = asyncio.run(read_lanes(path, count, max(1, in_flight)))
    emit({"start": start, "end": now_ns(), "lat": lat})


def run_log_append(path, count, line_bytes):
    ready_then_go()
    lat = []
    start = now_ns()
    for i in range(count):
        t0 = now_ns()
        head = "%s [%-5s] [host:app] %d:" % (utc_now(), "INFO", i)
        line = head + "x" * max(0, line_bytes - 1 - len(head))
        with open(path, "a", encoding="utf-8") as f:
            f.write(line + "\n")
        lat.append(now_ns() - t0)
    emit({"start": start, "end": now_ns(), "lat": lat})


def main(argv):
    if len(argv) == 5 and argv[1] == "rewrite":
        run_rewrite(argv[2], int(argv[3]), int(argv[4]))
    elif len(argv) == 5 and argv[1] == "app-rewrite":
        run_app_rewrite(argv[2], int(argv[3]), int(argv[4]))
    elif len(argv) == 5 and argv[1] == "update":
        run_rewrite(argv[2], int(argv[3]), int(argv[4]), update_once)
    elif len(argv) == 5 and argv[1] == "app-update":
        run_app_rewrite(argv[2], int(argv[3]), int(argv[4]), update_once)
    elif len(argv) == 2 and argv[1] == "marker":
        run_marker()
    elif len(argv) == 2 and argv[1] == "app-marker":
        run_app_marker()
    elif len(argv) == 5 and argv[1] == "log-append":
        run_log_append(argv[2], int(argv[3]), int(argv[4]))
    elif len(argv) == 5 and argv[1] in ("advance", "app-advance"):
        run_advance(argv[2], int(argv[3]), int(argv[4]), argv[1] == "app-advance")
    elif len(argv) == 5 and argv[1] == "read":
        run_read(argv[2], int(argv[3]), int(argv[4]))
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
