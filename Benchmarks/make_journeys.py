"""Fills the journey benchmark's workspace through the API: STEP=journeys creates 40 journeys with 8
phases and writes a CSV of 2,000 touchpoints for the importer; STEP=assess has two people assess every
touchpoint. Deterministic (seeded)."""
import http.client, json, os, random, urllib.parse

random.seed(3)
url = urllib.parse.urlparse(os.environ["URL"])
work = os.environ["WORK"]
conn = http.client.HTTPConnection(url.hostname, url.port)


def call(method, path, body=None, token=os.environ["TOKEN"]):
    conn.request(method, "/api/v1" + path, json.dumps(body) if body is not None else None,
                 {"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    r = conn.getresponse()
    data = r.read()
    assert r.status in (200, 201), (method, path, r.status, data[:300])
    return json.loads(data)


def q(s):
    return '"' + s + '"'


if os.environ["STEP"] == "journeys":
    channels = ["website", "portal", "app", "email", "letter", "phone", "chat", "video", "branch", "field_sales", "broker", "social_media"]
    rows = ["external_id,name,channel,journey,phases,direction,products,target_groups,feedback_measured,responsible_department,co_departments,ownership,controllable"]
    ids = []
    for j in range(40):
        journey = call("POST", "/journeys", {"name": f"Journey {j:02d}", "slug": f"journey-{j:02d}", "segment": random.choice(["Private", "Business", "Broker"])})
        ids.append(journey["id"].lower())
        for p in range(8):
            call("POST", f"/journeys/{journey['id']}/phases", {"name": f"Phase {p}", "slug": f"phase-{p}"})
        for t in range(50):
            ch = random.choice(channels)
            phases = ",".join(f"phase-{p}" for p in sorted(random.sample(range(8), random.choice([1, 1, 2]))))
            rows.append(",".join([f"T{j:02d}-{t:02d}", f"{ch}: touchpoint {j:02d}-{t:02d}", ch, f"journey-{j:02d}", q(phases),
                                  random.choice(["inbound", "outbound"]), q(",".join(random.sample(["Kfz", "Hausrat", "Leben", "BU", "Rente", "Haftpflicht"], 2))),
                                  random.choice(["Private", "Business", "Broker"]), random.choice(["yes", "no"]),
                                  random.choice(["Service", "Claims", "Sales", "Marketing", "IT", "Finance"]), random.choice(["Legal", "Output", "Digital"]),
                                  random.choice(["brand_owned", "partner_owned", "external"]), random.choice(["yes", "no"])]))
    open(os.path.join(work, "touchpoints.csv"), "w").write("\n".join(rows) + "\n")
    open(os.path.join(work, "journey-ids"), "w").write("\n".join(ids) + "\n")
else:
    cursor, touchpoints = None, []
    while True:
        page = call("GET", "/touchpoints?limit=500" + (f"&cursor={cursor}" if cursor else ""))
        touchpoints += [t["id"] for t in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    for token in (os.environ["TOKEN"], os.environ["TOKEN2"]):
        for t in touchpoints:
            call("POST", f"/touchpoints/{t}/assessments", {"relevance": random.randint(1, 5), "quality": random.randint(1, 5)}, token=token)
    print(f"assessed {len(touchpoints)} touchpoints twice")
