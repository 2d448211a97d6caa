#!/usr/bin/env bash
# Journey benchmark: a workspace with 2,000 touchpoints in 40 journeys (8 phases each, assessed by two
# people); wrk from a second process measures the journey map, the registry and the registry grouped
# by several fields; the touchpoint CSV import is timed too.
# Usage: Benchmarks/journeys.sh [sqlite|postgres] [CONNECTIONS, default 8]   (postgres needs RAPPORT_BENCH_POSTGRES_URL)
set -euo pipefail
cd "$(dirname "$0")/.."
db=${1:-sqlite}; connections=${2:-8}; threads=$(( connections < 2 ? 1 : 2 ))
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
RAPPORT_PASSWORD=bench-password-1 "$bin" user create --workspace bench --email bench@rapport.example --name Bench --role owner >/dev/null
token=$("$bin" token create --workspace bench --role owner --name bench)
token2=$("$bin" token create --workspace bench --role cx_manager --name colleague)

port=$((20000 + RANDOM % 20000)); url="http://127.0.0.1:$port"
RAPPORT_LOG_LEVEL=warning "$bin" serve --port "$port" >"$work/serve.log" 2>&1 & server=$!
for _ in $(seq 1 120); do curl -fsS "$url/health" >/dev/null 2>&1 && break; sleep 0.5; done

api() {  # step: journeys | assess
  STEP=$1 URL=$url TOKEN=$token TOKEN2=$token2 WORK=$work python3 Benchmarks/make_journeys.py
}
api journeys
t0=$(date +%s.%N)
"$bin" import touchpoints "$work/touchpoints.csv" --workspace bench >/dev/null 2>&1
t1=$(date +%s.%N)
echo "imported 2,000 touchpoints from CSV in $(python3 -c "print(round($t1 - $t0, 2))") s ($db)"
api assess

# A browser session for the web pages.
csrf=$(curl -s -c "$work/jar" "$url/login" | grep -o 'name="csrf_token" value="[^"]*"' | sed 's/.*value="//;s/"$//')
curl -s -b "$work/jar" -c "$work/jar" -o /dev/null --data-urlencode "csrf_token=$csrf" --data-urlencode "email=bench@rapport.example" --data-urlencode "password=bench-password-1" "$url/login"
cookie="rapport_session=$(awk '$6=="rapport_session"{print $7}' "$work/jar")"
sleep 2
if [ -n "${RAPPORT_BENCH_SETUP_ONLY:-}" ]; then echo "data in $work; cookie: $cookie"; exit 0; fi

cat > "$work/p95.lua" <<'LUA'
local ids = {}
local prefix = os.getenv("PATH_PREFIX")
local suffix = os.getenv("PATH_SUFFIX") or ""
local file = os.getenv("IDS")
if file and file ~= "" then for line in io.lines(file) do ids[#ids + 1] = line end end
request = function()
  if #ids > 0 then return wrk.format("GET", prefix .. ids[math.random(#ids)] .. suffix) end
  return wrk.format("GET", prefix)
end
done = function(summary, latency, requests)
  io.write(string.format("  p50 %.1f ms  p95 %.1f ms  p99 %.1f ms  %d requests, %d errors\n", latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout))
end
LUA
run() {  # name, path prefix, header, ids file or "", suffix
  echo "$1"
  PATH_PREFIX=$2 IDS=$4 PATH_SUFFIX=${5:-} wrk -t$threads -c$connections -d10s --timeout 5s -s "$work/p95.lua" -H "$3" "$url" | grep "p95" || echo "  (wrk failed)"
}
run "web journey map (random journeys of 40)" "/journeys/" "Cookie: $cookie" "$work/journey-ids"
run "API journey map (random journeys)" "/api/v1/journeys/" "Authorization: Bearer $token" "$work/journey-ids" "/map"
run "web journeys overview" "/journeys" "Cookie: $cookie" ""
run "web touchpoint registry (first page of 50)" "/touchpoints" "Cookie: $cookie" ""
for field in journey phase channel products quadrant responsible_department; do
  run "web touchpoint registry grouped by $field (all 2,000)" "/touchpoints?group=$field" "Cookie: $cookie" ""
done
run "web relevance × quality matrix (all 2,000)" "/touchpoints/matrix" "Cookie: $cookie" ""
echo "memory after load: $(awk '/VmRSS/{print int($2/1024)}' /proc/$server/status) MB"
