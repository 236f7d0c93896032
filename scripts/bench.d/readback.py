"""Reads back every acknowledged activity id: GET /api/v1/activities/{id} over keep-alive connections.

usage: readback.py PORT TOKEN IDS_FILE  -> prints JSON {"acknowledged", "found", "missing", "other"}
"""
import http.client
import json
import sys
import threading

port, token, path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ids = [line.strip() for line in open(path) if line.strip()]
counts = {"acknowledged": len(ids), "found": 0, "missing": 0, "other": 0}
missing = []
lock = threading.Lock()


def work(chunk):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for i in chunk:
        conn.request("GET", f"/api/v1/activities/{i}", headers={"Authorization": f"Bearer {token}"})
        r = conn.getresponse()
        r.read()
        key = {200: "found", 404: "missing"}.get(r.status, "other")
        with lock:
            counts[key] += 1
            if key != "found":
                missing.append((i, r.status))


threads = [threading.Thread(target=work, args=(ids[n::8],)) for n in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
counts["first_missing"] = missing[:5]
print(json.dumps(counts))
