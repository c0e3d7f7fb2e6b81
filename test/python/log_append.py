"""Append numbered log lines as the application's append_log_line does:
open(path, "a", encoding="utf-8") and one write of the line and its newline
per line, no lock. argv: <path> <writer id> <count>. Prints "ready", waits
for a line on stdin, appends, prints "done". The line is formatted as the
application formats it (timestamp, level padded to 5, the [equip:] tag); the
message is the same numbered payload as test/helpers/log-lines.ts builds."""
import sys
from datetime import datetime, timezone

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def payload(writer, i):
    n = (i * 97 + len(writer) * 13) % 950
    body = (LETTERS * (n // len(LETTERS) + 1))[:n]
    return "%s#%d:%d:%s" % (writer, i, n, body)


path, writer, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
print("ready", flush=True)
sys.stdin.readline()
for i in range(count):
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    line = "%s [%-5s] [equip:%s] %s" % (stamp, "INFO", writer, payload(writer, i))
    with open(path, "a", encoding="utf-8") as f:
        f.write(line + "\n")
print("done", flush=True)
