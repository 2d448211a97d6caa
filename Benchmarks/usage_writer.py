#!/usr/bin/env python3
"""Posts usage events through the batch API: BATCHES batches of SIZE events from THREADS threads, each with
its own batch_id; prints events per second. Usage: usage_writer.py URL TOKEN ACCOUNTS BATCHES SIZE THREADS [HOURS]
Event times are spread over the last HOURS (default 648, 27 days: every batch touches a month of roll-ups, the
worst case); a stream sending what just happened is HOURS=1."""
import concurrent.futures, datetime, json, random, sys, time, urllib.request, uuid

url, token, accounts, batches, size, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
spread = int(float(sys.argv[7]) * 3600) if len(sys.argv) > 7 else 27 * 86400
features = ["claims", "reports", "documents", "api", "dashboard", "approvals", "chat", "export"]
now = datetime.datetime.now(datetime.timezone.utc)
bodies = []
for b in range(batches):
    r = random.Random(b)
    events = [{"account_external_id": f"BENCH-{r.randint(1, accounts)}", "user": f"user{r.randint(1, 40)}", "feature": r.choice(features),
               "count": r.randint(1, 5), "time": (now - datetime.timedelta(seconds=r.randint(0, spread))).strftime("%Y-%m-%dT%H:%M:%SZ")}
              for _ in range(size)]
    bodies.append(json.dumps({"batch_id": str(uuid.uuid4()), "events": events}).encode())

def send(body):
    req = urllib.request.Request(url + "/api/v1/usage/events", data=body, method="POST",
                                 headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=300) as resp:
        assert resp.status == 201, resp.status

start = time.time()
with concurrent.futures.ThreadPoolExecutor(threads) as pool:
    list(pool.map(send, bodies))
seconds = time.time() - start
print(f"  {batches * size} events in {batches} batches of {size} from {threads} threads: {seconds:.1f} s, {batches * size / seconds:,.0f} events/s")
