"""Measures how long an acknowledged write waits until its audit event is in a signed checkpoint, while
scenario 3's load runs: one write at a time (POST /api/v1/activities), then GET /api/v1/audit-events for
that activity every 10 ms until its event shows a `position`. The sequencer writes the leaves and the
checkpoint that covers them in one transaction, so a position means a signed checkpoint holds the event.

usage: sequencing.py PORT TOKEN BODY_JSON SECONDS  -> prints JSON {"samples", "p50_ms", "p99_ms", "max_ms", "timeouts"}
"""
import http.client
import json
import sys
import time

port, token, body, seconds = int(sys.argv[1]), sys.argv[2], sys.argv[3], float(sys.argv[4])
headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)


def call(method, path, payload=None):
    conn.request(method, path, body=payload, headers=headers)
    r = conn.getresponse()
    return r.status, r.read(), r.getheader("Location") or ""


latencies, timeouts = [], 0
end = time.monotonic() + seconds
while time.monotonic() < end:
    status, _, location = call("POST", "/api/v1/activities", body)
    acked = time.monotonic()
    if status != 201:
        time.sleep(0.1)
        continue
    activity = location.rsplit("/", 1)[-1]
    path = f"/api/v1/audit-events?entity_type=activity&entity_id={activity}"
    while True:
        status, payload, _ = call("GET", path)
        items = json.loads(payload).get("items", []) if status == 200 else []
        if any(e.get("position") is not None for e in items):
            latencies.append((time.monotonic() - acked) * 1000)
            break
        if time.monotonic() - acked > 30:
            timeouts += 1
            break
        time.sleep(0.01)
    time.sleep(0.1)

latencies.sort()


def pct(p):
    if not latencies:
        return "n/a"
    return round(latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))], 1)


print(json.dumps({"samples": len(latencies), "p50_ms": pct(50), "p99_ms": pct(99),
                  "max_ms": round(latencies[-1], 1) if latencies else "n/a", "timeouts": timeouts}))
