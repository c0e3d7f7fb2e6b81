"""PyYAML's safe_load as a long-lived process: one JSON request a line on
stdin ({"id": n, "base64": "<the file's bytes>"}), one JSON answer a line on
stdout: {"id": n, "ok": true, "value": <tagged>} or {"id": n, "ok": false,
"error": "<exception>"}. The bytes are read as a binary stream, as the
application opens config.yaml. The tagged form keeps the Python types (see
src/config/_tagged.ts)."""
import base64, datetime, io, json, math, struct, sys, yaml

EPOCH = datetime.datetime(1970, 1, 1)
EPOCH_UTC = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
MICRO = datetime.timedelta(microseconds=1)

class TooLarge(Exception):
    pass

def tagged(v, stack, budget):
    budget[0] -= 1
    if budget[0] < 0:
        raise TooLarge()
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, int):
        return {"int": str(v)}
    if isinstance(v, float):
        return {"float": "nan" if math.isnan(v) else struct.pack(">d", v).hex()}
    if isinstance(v, bytes):
        return {"bytes": v.hex()}
    if isinstance(v, datetime.datetime):
        if v.tzinfo is None:
            return {"datetime": str((v - EPOCH) // MICRO), "offset": None}
        return {"datetime": str((v - EPOCH_UTC) // MICRO), "offset": v.utcoffset() // datetime.timedelta(minutes=1)}
    if isinstance(v, datetime.date):
        return {"date": v.isoformat()}
    for i in range(len(stack) - 1, -1, -1):
        if stack[i] is v:
            return {"cycle": len(stack) - i}
    stack.append(v)
    try:
        if isinstance(v, list):
            return [tagged(x, stack, budget) for x in v]
        if isinstance(v, tuple):
            return {"tuple": [tagged(x, stack, budget) for x in v]}
        if isinstance(v, set):
            members = [tagged(x, stack, budget) for x in v]
            members.sort(key=lambda m: json.dumps(m, ensure_ascii=False, separators=(",", ":")).encode("utf-16-be"))
            return {"set": members}
        if isinstance(v, dict):
            return {"dict": [[tagged(k, stack, budget), tagged(x, stack, budget)] for k, x in v.items()]}
        return {"other": type(v).__name__}
    finally:
        stack.pop()

for line in sys.stdin:
    request = json.loads(line)
    answer = {"id": request["id"]}
    try:
        value = yaml.safe_load(io.BytesIO(base64.b64decode(request["base64"])))
    except RecursionError:
        answer.update(ok=False, error="RecursionError")
    except Exception as e:
        answer.update(ok=False, error="%s: %s" % (type(e).__name__, str(e).splitlines()[0] if str(e) else ""))
    else:
        try:
            answer.update(ok=True, value=tagged(value, [], [100000]))
        except TooLarge:
            answer.update(ok=False, error="TooLarge")
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()
