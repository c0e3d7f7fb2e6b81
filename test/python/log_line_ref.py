"""A reference of the application's log line rules, written from the
facts in reference/cache-family.md sections 7.2 and 7.3 (format_log_line and
its 1024-byte cap). The application's own code is not available here; this
is an independent reading of those facts, used as the other side of a
differential test.

Input: one JSON object per line on stdin:
  {"ms": <epoch milliseconds>, "offset": <minutes east of UTC, or null for a
   naive datetime already in UTC>, "level": str, "tags": {name: str|null},
   "message": str, "escape": bool}
Output: one JSON object per line: {"line": str} or {"error": <exception name>}.

With "escape": true the documented one-way escape of exlab-cache (C0
controls, DEL, C1 controls, U+2028, U+2029) is applied to the message and
tag values before the application's rules.
"""
import json
import sys
from datetime import datetime, timedelta, timezone

MAX_BYTES = 1024
MARKER = "...[truncated]"
TAGS = ("host", "equip", "proj", "kind", "run")
NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape(text):
    out = []
    for ch in text:
        c = ord(ch)
        if ch in NAMED:
            out.append(NAMED[ch])
        elif c < 0x20 or 0x7F <= c <= 0x9F:
            out.append("\\x%02x" % c)
        elif c in (0x2028, 0x2029):
            out.append("\\u%04x" % c)
        else:
            out.append(ch)
    return "".join(out)


def stamp(when):
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def fit(line, prefix, message):
    if len(line.encode("utf-8")) <= MAX_BYTES:
        return line
    budget = MAX_BYTES - len(MARKER.encode("utf-8"))
    head = prefix.encode("utf-8")
    if len(head) >= budget:
        return head[:budget].decode("utf-8", errors="ignore") + MARKER
    kept = message.encode("utf-8")[: budget - len(head)].decode("utf-8", errors="ignore")
    return prefix + kept + MARKER


def format_line(when, level, tags, message):
    parts = ["[%s:%s]" % (name, tags[name]) for name in TAGS if tags.get(name) is not None]
    prefix = "%s [%-5s] " % (stamp(when), level)
    if parts:
        prefix += " ".join(parts) + " "
    return fit(prefix + message, prefix, message)


def when_of(ms, offset):
    utc = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(milliseconds=ms)
    if offset is None:
        return utc.replace(tzinfo=None)
    return utc.astimezone(timezone(timedelta(minutes=offset)))


for raw in sys.stdin:
    case = json.loads(raw)
    tags = dict(case["tags"])
    message = case["message"]
    if case.get("escape"):
        tags = {k: (None if v is None else escape(v)) for k, v in tags.items()}
        message = escape(message)
    try:
        result = {"line": format_line(when_of(case["ms"], case["offset"]), case["level"], tags, message)}
    except UnicodeError as err:
        result = {"error": type(err).__name__}
    sys.stdout.write(json.dumps(result) + "\n")
sys.stdout.flush()
