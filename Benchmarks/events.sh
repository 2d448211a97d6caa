#!/usr/bin/env bash
# Event → invitation decisions with 1,000,000 contacts and a full contact log: every contact has
# consents and two earlier invitations in the last 400 days (2,000,000 log entries), written straight
# into the database by SQL (setup only; the product never writes this way). A second process then
# sends customer events, each decided by the trigger rule and the contact policy (quiet period,
# consent, yearly limit, sampling) and stored with its decision, invitation, outbox message and
# timeline entry:
#   1. batches of 5,000 events (POST /events/batch), 100,000 events in all;
#   2. single events (POST /events) with wrk, for DURATION seconds.
# Usage: Benchmarks/events.sh [sqlite|postgres] [CONTACTS, default 1000000] [DURATION, default 30]
set -euo pipefail
cd "$(dirname "$0")/.."
db=${1:-sqlite}; contacts=${2:-1000000}; duration=${3:-30}
bin=${RAPPORT_BIN:-$(swift build -c release --scratch-path .build-release --show-bin-path)/rapport}
work=${RAPPORT_BENCH_DIR:-$(mktemp -d)}; trap 'kill $server 2>/dev/null || true; [ -n "${RAPPORT_BENCH_KEEP:-}" ] || rm -rf "$work"' EXIT
if [ "$db" = postgres ]; then
  export RAPPORT_DATABASE_URL=${RAPPORT_BENCH_POSTGRES_URL:?set RAPPORT_BENCH_POSTGRES_URL}
  export RAPPORT_DATABASE_SCHEMA=bench_$(date +%s)
  sql() { psql -q -v ON_ERROR_STOP=1 "$RAPPORT_DATABASE_URL" -c "SET search_path TO $RAPPORT_DATABASE_SCHEMA; $1"; }
else
  export RAPPORT_DATABASE_URL="sqlite:$work/rapport.sqlite"
  sql() { sqlite3 "$work/rapport.sqlite" "$1"; }
fi
"$bin" migrate >/dev/null
"$bin" workspace create --slug bench --name Bench >/dev/null
token=$("$bin" token create --workspace bench --role owner --name bench)
port=$((20000 + RANDOM % 20000)); url="http://127.0.0.1:$port"
RAPPORT_LOG_LEVEL=warning RAPPORT_WORKER_INTERVAL=0 "$bin" serve --port "$port" >"$work/serve.log" 2>&1 & server=$!
for _ in $(seq 1 120); do curl -fsS "$url/health" >/dev/null 2>&1 && break; sleep 0.5; done
survey=$(curl -fsS -H "Authorization: Bearer $token" -H 'Content-Type: application/json' "$url/api/v1/surveys" -d '{"name": "Bench T-NPS",
  "kind": "transactional", "definition": {"languages": ["de"], "title": {"de": "Bench"}, "questions": [{"id": "nps", "type": "nps", "text": {"de": "Empfehlen?"}}]}}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
curl -fsS -o /dev/null -X POST -H "Authorization: Bearer $token" "$url/api/v1/surveys/$survey/publish"
curl -fsS -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: application/json' "$url/api/v1/triggers" \
  -d "{\"name\": \"bench\", \"event_type\": \"case_closed\", \"survey_id\": \"$survey\", \"channel\": \"email\", \"sampling_rate\": 0.9}"
curl -fsS -o /dev/null -X PUT -H "Authorization: Bearer $token" -H 'Content-Type: application/json' "$url/api/v1/survey-settings" \
  -d '{"contact_policy": {"quiet_days": 30, "max_reminders": 1, "reminder_after_days": 5, "overrides": [{"match": {"attribute": {"key": "language", "value": "en"}}, "quiet_days": 90, "max_invitations_per_year": 4}]}, "feedback_queues": {}}'

echo "setting up $contacts contacts with consents and a contact log of $((2 * contacts)) entries ($db)…"
t0=$(date +%s)
if [ "$db" = postgres ]; then
  sql "
  WITH ws AS (SELECT id FROM workspaces WHERE slug = 'bench')
  INSERT INTO contacts (id, workspace_id, external_id, first_name, last_name, search_text, email, stakeholder_side, language, channel_preferences, version, created_at, updated_at)
  SELECT (lpad(to_hex(i), 8, '0') || '-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, ws.id, 'c' || i, 'Vorname', 'Nachname ' || i, 'nachname ' || i,
         'kunde' || i || '@bench.example', 'customer', CASE WHEN i % 5 = 0 THEN 'en' ELSE 'de' END, ARRAY['email'], 1, now(), now()
  FROM ws, generate_series(1, $contacts) AS i;
  INSERT INTO consents (id, workspace_id, contact_id, purpose, channel, status, source, recorded_at, recorded_by)
  SELECT gen_random_uuid(), c.workspace_id, c.id, 'survey', 'email', 'granted', 'bench', now() - interval '500 days', 'bench'
  FROM contacts c WHERE c.external_id LIKE 'c%' AND substring(c.external_id from 2)::int % 10 <> 0;
  INSERT INTO contact_decisions (id, workspace_id, contact_id, occurrence_key, channel, kind, invited, explanation, at)
  SELECT gen_random_uuid(), c.workspace_id, c.id, 'history:' || c.external_id || ':' || k, 'email', 'invitation', true, 'history', now() - (random() * 400) * interval '1 day'
  FROM contacts c, generate_series(1, 2) AS k WHERE c.external_id LIKE 'c%';
  ANALYZE;"
else
  sql "
  PRAGMA journal_mode=WAL;
  CREATE TEMP TABLE n(i INTEGER PRIMARY KEY);
  WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $contacts) INSERT INTO n SELECT i FROM s;
  INSERT INTO contacts (id, workspace_id, external_id, first_name, last_name, search_text, email, stakeholder_side, language, channel_preferences, version, created_at, updated_at)
  SELECT printf('%08X-0000-4000-8000-%012X', i, i), (SELECT id FROM workspaces WHERE slug = 'bench'), 'c' || i, 'Vorname', 'Nachname ' || i, 'nachname ' || i,
         'kunde' || i || '@bench.example', 'customer', CASE WHEN i % 5 = 0 THEN 'en' ELSE 'de' END, '[\"email\"]', 1, unixepoch(), unixepoch() FROM n;
  INSERT INTO consents (id, workspace_id, contact_id, purpose, channel, status, source, recorded_at, recorded_by)
  SELECT printf('%08X-0000-4000-9000-%012X', i, i), (SELECT id FROM workspaces WHERE slug = 'bench'), printf('%08X-0000-4000-8000-%012X', i, i),
         'survey', 'email', 'granted', 'bench', unixepoch() - 500 * 86400, 'bench' FROM n WHERE i % 10 <> 0;
  INSERT INTO contact_decisions (id, workspace_id, contact_id, occurrence_key, channel, kind, invited, explanation, at)
  SELECT printf('%08X-%04X-4000-A000-%012X', i, k, i), (SELECT id FROM workspaces WHERE slug = 'bench'), printf('%08X-0000-4000-8000-%012X', i, i),
         'history:c' || i || ':' || k, 'email', 'invitation', 1, 'history', unixepoch() - (abs(random()) % (400 * 86400))
  FROM n, (SELECT 1 AS k UNION ALL SELECT 2);
  ANALYZE;"
fi
echo "  setup took $(( $(date +%s) - t0 )) s"

python3 - "$url" "$token" "$contacts" <<'PY'
import json, random, sys, time, urllib.request
url, token, contacts = sys.argv[1], sys.argv[2], int(sys.argv[3])
random.seed(1)
def post(path, body):
    req = urllib.request.Request(url + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=600) as r:
        return json.loads(r.read())
batches = [[{"type": "case_closed", "external_id": f"ev-{b}-{i}", "contact_external_id": f"c{random.randint(1, contacts)}",
             "attributes": {"channel": "phone"}} for i in range(5_000)] for b in range(20)]
reasons = {}
start = time.time()
for b in batches:
    out = post("/api/v1/events/batch", {"events": b})
    assert out["accepted"] == 5_000, out["rejected"]
    for item in out["items"]:
        for d in item["decisions"]:
            key = "invited" if d["invited"] else d["reason"]
            reasons[key] = reasons.get(key, 0) + 1
took = time.time() - start
print(f"batch API: 100,000 events in 20 batches of 5,000 in {took:.1f} s = {100_000 / took:,.0f} events/s")
print("  decisions: " + ", ".join(f"{v:,} {k}" for k, v in sorted(reasons.items())))
PY

cat > "$work/event.lua" <<LUA
local n = 0
local threads = 0
setup = function(thread) threads = threads + 1; thread:set("tid", threads) end
request = function()
  n = n + 1
  local body = '{"type":"case_closed","external_id":"wrk' .. tid .. '-' .. n .. '","contact_external_id":"c' .. math.random($contacts) .. '"}'
  return wrk.format("POST", "/api/v1/events", {["Content-Type"] = "application/json", ["Authorization"] = "Bearer $token"}, body)
end
done = function(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout
  io.write(string.format("  %.0f events/s  p50 %.1f ms  p95 %.1f ms  p99 %.1f ms  %d requests, %d errors\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, summary.requests, errors))
end
LUA
echo "single events (POST /events), 16 connections, ${duration} s"
wrk -t2 -c16 -d${duration}s --timeout 5s -s "$work/event.lua" "$url" | grep "events/s"
echo "memory after load: $(awk '/VmRSS/{print int($2/1024)}' /proc/$server/status) MB"
