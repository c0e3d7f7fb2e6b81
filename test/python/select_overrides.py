"""Reference for the active-override selection (cache-family section 4).

Reads one JSON case per line on stdin and prints one JSON answer per line:

  {"iso": "<text>"}
      -> {"micros": "<integer>" or null}   the instant the application's expiry
         parser gives: a final "Z" read as "+00:00", datetime.fromisoformat,
         no offset meaning UTC; null when it refuses the text.
  {"entries": [...], "now_ms": <int>}
      -> {"active": [indices], "warnings": [[code, index], ...]} or
         {"crash": "<exception type>"} where the application would raise.

Written from the documented algorithm, for differential tests only.
"""
import json
import sys
from datetime import datetime, timedelta, timezone

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def expiry(value):
    if not value:
        return None
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed


def micros(when):
    delta = when - EPOCH
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def select(entries, now):
    warnings = []
    known = {e["id"] for e in entries if "id" in e}
    revoked = set()
    for i, e in enumerate(entries):
        if not e.get("revoked", False):
            continue
        target = e.get("revokes")
        if target is None:
            continue
        if target not in known:
            warnings.append(["orphan_tombstone", i])
            continue
        revoked.add(target)
    active = []
    for i, e in enumerate(entries):
        if e.get("revoked", False):
            continue
        if e.get("id") in revoked:
            continue
        exp = e.get("expires_at")
        if exp is not None:
            parsed = expiry(exp)
            if parsed is None:
                warnings.append(["malformed_expiry", i])
                continue
            if parsed <= now:
                continue
        active.append(i)
    return active, warnings


def main():
    for line in sys.stdin:
        case = json.loads(line)
        if "iso" in case:
            parsed = expiry(case["iso"])
            out = {"micros": None if parsed is None else str(micros(parsed))}
        else:
            now = EPOCH + timedelta(milliseconds=case["now_ms"])
            try:
                active, warnings = select(case["entries"], now)
                out = {"active": active, "warnings": warnings}
            except Exception as exc:  # the application raises here too
                out = {"crash": type(exc).__name__}
        sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()


main()
