"""Load every case of a fixture with PyYAML's safe_load, as the application
does (the file's bytes, a binary stream), and print one JSON result per case:
{"ok": false} when it refuses, else the equipment and paths sections with
non-JSON values tagged."""
import base64, datetime, json, math, sys, yaml

def tagged(v):
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, int):
        return {"$int": str(v)}
    if isinstance(v, float):
        return {"$float": "nan" if math.isnan(v) else "inf" if v == math.inf else "-inf" if v == -math.inf else repr(float(v))}
    if isinstance(v, (datetime.date, datetime.datetime)):
        return {"$timestamp": True}
    if isinstance(v, bytes):
        return {"$binary": base64.b64encode(v).decode()}
    if isinstance(v, list):
        return [tagged(x) for x in v]
    if isinstance(v, dict):
        return {str(k): tagged(x) for k, x in v.items()}
    return {"$other": type(v).__name__}

cases = json.load(open(sys.argv[1], encoding="utf-8"))
out = []
for case in cases:
    data = base64.b64decode(case["base64"]) if "base64" in case else case["yaml"].encode("utf-8")
    path = sys.argv[2]
    with open(path, "wb") as f:
        f.write(data)
    try:
        doc = yaml.safe_load(open(path, "rb"))
    except yaml.YAMLError as e:
        out.append({"ok": False, "why": str(e).splitlines()[0]})
        continue
    except (ValueError, TypeError, KeyError, AttributeError) as e:
        out.append({"ok": False, "why": type(e).__name__})
        continue
    if not isinstance(doc, dict):
        out.append({"ok": True, "equipment": tagged(doc), "paths": None, "top": False})
        continue
    out.append({"ok": True, "equipment": tagged(doc.get("equipment")), "paths": tagged(doc.get("paths"))})
print(json.dumps(out))
