"""Open <path>.lock as filelock's ReadWriteLock does for a read: a SQLite
database, journal in memory, a transaction holding SQLite's shared lock by
one SELECT from sqlite_schema.

  hold: take it, print "held", keep it until a line on stdin, then roll back
        and print "released";
  read: take it once, roll back, print "read ok" (or the error)."""
import sqlite3
import sys

mode, path = sys.argv[1], sys.argv[2]
try:
    con = sqlite3.connect(path + ".lock", timeout=30, isolation_level=None)
    con.execute("PRAGMA busy_timeout=30000")
    con.execute("PRAGMA journal_mode=MEMORY")
    con.execute("BEGIN TRANSACTION")
    con.execute("SELECT name FROM sqlite_schema LIMIT 1").fetchall()
except sqlite3.Error as e:
    print(f"error {type(e).__name__}: {e}", flush=True)
    sys.exit(1)
if mode == "hold":
    print("held", flush=True)
    sys.stdin.readline()
    con.execute("ROLLBACK")
    print("released", flush=True)
else:
    con.execute("ROLLBACK")
    print("read ok", flush=True)
con.close()
