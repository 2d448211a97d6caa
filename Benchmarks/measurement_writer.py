"""Keeps answered surveys arriving at a steady rate through the batch API while the dashboards are
measured. Usage: measurement_writer.py URL TOKEN RATE SECONDS; prints what it achieved."""
import json, random, sys, threading, time, urllib.request

url, token, rate, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
H = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def get(path):
    with urllib.request.urlopen(urllib.request.Request(url + path, headers=H), timeout=30) as r:
        return json.load(r)


surveys = [s for s in get("/api/v1/surveys?limit=100")["items"] if s.get("kind") == "transactional" and s.get("status") == "published"]
# The demo's claims survey: NPS 0–10 and CES 1–7; answers every other survey would refuse are never sent.
survey = next((s for s in surveys if "Schadenmeldung" in s.get("name", "")), surveys[0])
slugs = [t["slug"] for t in get("/api/v1/touchpoints?limit=100")["items"]]
BATCH, TICK = max(1, rate // 20), 0.05
sent = errors = 0
lock = threading.Lock()
run = f"{time.time():.0f}"


def post(i):
    global sent, errors
    items = [{"survey_id": survey["id"], "external_id": f"bench-{run}-{i}-{k}", "touchpoint": random.choice(slugs), "channel": "email",
              "answers": {"nps": random.randint(0, 10), "ces": random.randint(1, 5)}} for k in range(BATCH)]
    req = urllib.request.Request(url + "/api/v1/responses/batch", data=json.dumps({"responses": items}).encode(), headers=H, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            body = json.load(r)
        created = body.get("created", 0)
        if created < BATCH:
            print("writer: a batch was partly refused:", json.dumps(body)[:300], flush=True)
        with lock:
            sent += created
    except Exception:
        with lock:
            errors += 1


start = time.time()
i = 0
threads = []
while time.time() - start < seconds:
    th = threading.Thread(target=post, args=(i,))
    th.start()
    threads.append(th)
    i += 1
    time.sleep(max(0, start + i * TICK - time.time()))
for th in threads:
    th.join()
elapsed = time.time() - start
print(f"writer: {sent:,} responses stored in {elapsed:.0f} s = {sent / elapsed:,.0f}/s (target {rate}/s), {errors} failed requests")
