#!/usr/bin/env bash
# Voice-of-the-customer benchmark, from a second process:
#   1. single-response API: wrk POSTs one response per request for DURATION seconds (default 60),
#      each with its own external id; reports requests/s and p50/p95/p99;
#   2. batch API: batches of 10,000 responses, timed end to end (JSON, checks, storage);
#   3. CSV import of 100,000 historical responses.
# Usage: Benchmarks/responses.sh [sqlite|postgres] [CONNECTIONS, default 16] [DURATION, default 60]
#        (postgres needs RAPPORT_BENCH_POSTGRES_URL)
set -euo pipefail
cd "$(dirname "$0")/.."
db=${1:-sqlite}; connections=${2:-16}; duration=${3:-60}; threads=2
bin=${RAPPORT_BIN:-$(swift build -c release --scratch-path .build-release --show-bin-path)/rapport}
work=${RAPPORT_BENCH_DIR:-$(mktemp -d)}; trap 'kill $server 2>/dev/null || true; [ -n "${RAPPORT_BENCH_KEEP:-}" ] || rm -rf "$work"' EXIT
if [ "$db" = postgres ]; then
  export RAPPORT_DATABASE_URL=${RAPPORT_BENCH_POSTGRES_URL:?set RAPPORT_BENCH_POSTGRES_URL}
  export RAPPORT_DATABASE_SCHEMA=bench_$(date +%s)
else
  export RAPPORT_DATABASE_URL="sqlite:$work/rapport.sqlite"
fi
"$bin" migrate >/dev/null
"$bin" workspace create --slug bench --name Bench >/dev/null
token=$("$bin" token create --workspace bench --role owner --name bench)
port=$((20000 + RANDOM % 20000)); url="http://127.0.0.1:$port"
RAPPORT_LOG_LEVEL=warning RAPPORT_WORKER_INTERVAL=0 "$bin" serve --port "$port" >"$work/serve.log" 2>&1 & server=$!
for _ in $(seq 1 120); do curl -fsS "$url/health" >/dev/null 2>&1 && break; sleep 0.5; done

survey=$(curl -fsS -H "Authorization: Bearer $token" -H 'Content-Type: application/json' "$url/api/v1/surveys" -d '{
  "name": "Bench T-NPS", "kind": "transactional", "definition": {"languages": ["de", "en"],
  "title": {"de": "Bench", "en": "Bench"}, "questions": [
    {"id": "nps", "type": "nps", "required": true, "text": {"de": "Empfehlen?", "en": "Recommend?"}},
    {"id": "ces", "type": "ces", "scale": 7, "text": {"de": "Einfach?", "en": "Easy?"}},
    {"id": "disappointed", "type": "text", "page": 2, "show_if": {"question": "nps", "max": 6}, "text": {"de": "Was enttäuschte?", "en": "What disappointed?"}},
    {"id": "delighted", "type": "text", "page": 2, "show_if": {"question": "nps", "min": 7}, "text": {"de": "Was begeisterte?", "en": "What delighted?"}}]}}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
curl -fsS -o /dev/null -X POST -H "Authorization: Bearer $token" "$url/api/v1/surveys/$survey/publish"

cat > "$work/post.lua" <<LUA
local n = 0
-- The main state numbers the threads; each thread sees its number as the global tid (a local of the
-- same name would shadow it and give every thread the same ids).
local threads = 0
setup = function(thread) threads = threads + 1; thread:set("tid", threads) end
request = function()
  n = n + 1
  local nps = n % 11
  local text = nps <= 6 and ',"disappointed":"Zu lange gewartet"' or ',"delighted":"Schnell und freundlich"'
  local body = '{"survey_id":"$survey","external_id":"w' .. tid .. '-' .. n .. '","language":"de","channel":"email","answers":{"nps":' .. nps .. ',"ces":' .. (n % 7 + 1) .. text .. '}}'
  return wrk.format("POST", "/api/v1/responses", {["Content-Type"] = "application/json", ["Authorization"] = "Bearer $token"}, body)
end
done = function(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout
  io.write(string.format("  %.0f responses/s  p50 %.1f ms  p95 %.1f ms  p99 %.1f ms  %d requests, %d errors\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, summary.requests, errors))
end
LUA
echo "single-response API, $connections connections, ${duration} s ($db)"
wrk -t$threads -c$connections -d${duration}s --timeout 5s -s "$work/post.lua" "$url" | grep "responses/s"

python3 - "$url" "$token" "$survey" "$work" <<'PY'
import json, sys, time, urllib.request
url, token, survey, work = sys.argv[1:5]
def batch(k, size=10_000):
    items = []
    for i in range(size):
        nps = (i * 7 + k) % 11
        items.append({"survey_id": survey, "external_id": f"b{k}-{i}", "language": "de", "channel": "email",
                      "answers": {"nps": nps, "ces": i % 7 + 1, ("disappointed" if nps <= 6 else "delighted"): "Antwort Nummer %d" % i}})
    return json.dumps({"responses": items}).encode()
bodies = [batch(k) for k in range(10)]
start = time.time()
for body in bodies:
    req = urllib.request.Request(url + "/api/v1/responses/batch", data=body, method="POST",
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=300) as r:
        reply = json.loads(r.read())
        assert reply["created"] == 10_000, reply["rejected"]
took = time.time() - start
print(f"batch API: 100,000 responses in 10 batches of 10,000 in {took:.2f} s = {100_000 / took:,.0f} responses/s")
with open(f"{work}/history.csv", "w") as f:
    f.write("external_id,submitted_at,language,nps,ces,disappointed,delighted\n")
    for i in range(100_000):
        nps = i % 11
        f.write(f"h-{i},2025-{i % 12 + 1:02d}-{i % 28 + 1:02d},de,{nps},{i % 7 + 1},{'Wartezeit' if nps <= 6 else ''},{'Freundlich' if nps >= 7 else ''}\n")
PY
t0=$(date +%s.%N)
"$bin" import responses "$work/history.csv" --workspace bench --survey "$survey" 2>/dev/null | tail -1
t1=$(date +%s.%N)
python3 -c "t=$t1-$t0; print(f'CSV import: 100,000 responses in {t:.2f} s = {100000/t:,.0f} responses/s (including start-up)')"
echo "memory after load: $(awk '/VmRSS/{print int($2/1024)}' /proc/$server/status) MB"
