#!/usr/bin/env bash
# Customer Success benchmark, in one run:
#   1. ACCOUNTS (default 50,000) accounts with a year of daily usage, and the time to recompute every
#      account's health (target under 30 s);
#   2. usage ingestion: EVENTS (default 2,000,000) events from a CSV file, and 1,000,000 through the batch
#      API in batches of 50,000 (target 100,000 events/s);
#   3. the CSM portfolio page and API with 500 accounts under wrk (target p95 under 80 ms).
# Usage: Benchmarks/success.sh [sqlite|postgres] [ACCOUNTS] [EVENTS]
# PostgreSQL needs RAPPORT_BENCH_POSTGRES_URL (a database the script may fill; it uses its own schema).
set -euo pipefail
cd "$(dirname "$0")/.."
db=${1:-sqlite}; accounts=${2:-50000}; events=${3:-2000000}
for tool in wrk curl; do command -v $tool >/dev/null || { echo "needs $tool (apt-get install wrk curl)"; exit 1; }; done
bin=${RAPPORT_BIN:-$(swift build -c release --scratch-path .build-release --show-bin-path)/rapport}
work=$(mktemp -d "${RAPPORT_BENCH_DIR:-/tmp}/rapport-success.XXXXXX"); trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
server=""
if [ "$db" = postgres ]; then
  export RAPPORT_DATABASE_URL=${RAPPORT_BENCH_POSTGRES_URL:?set RAPPORT_BENCH_POSTGRES_URL}
  export RAPPORT_DATABASE_SCHEMA=bench_$(date +%s)
else
  export RAPPORT_DATABASE_URL="sqlite:$work/rapport.sqlite"
fi
echo "== $accounts accounts, a year of daily usage ($db)"
"$bin" bench success --workspace bench-cs --accounts "$accounts" --days 365 | tee "$work/seed.log" | grep -E "^seeded"
owner=$(awk '$1=="owner"{print $2}' "$work/seed.log")
echo "== health recompute again, from the command line"
/usr/bin/time -f "  %e s wall, %M KB peak memory" "$bin" health recompute --workspace bench-cs

echo "== usage ingestion: $events events from a CSV file"
python3 Benchmarks/make_usage.py "$events" "$accounts" "$work/usage.csv"
"$bin" import usage "$work/usage.csv" --workspace bench-cs 2>/dev/null | tail -1
rm -f "$work/usage.csv"

token=$("$bin" token create --workspace bench-cs --role owner --name bench)
port=$((20000 + RANDOM % 20000)); url="http://127.0.0.1:$port"
RAPPORT_LOG_LEVEL=warning "$bin" serve --port "$port" >"$work/serve.log" 2>&1 & server=$!
for _ in $(seq 1 240); do curl -fsS "$url/health" >/dev/null 2>&1 && break; sleep 0.5; done
echo "== usage ingestion through the batch API"
python3 Benchmarks/usage_writer.py "$url" "$token" "$accounts" 20 50000 2

echo "== the portfolio of a CSM with 500 accounts under wrk (2 threads, 8 connections, 20 s each)"
csrf=$(curl -s -c "$work/jar" "$url/login" | grep -o 'name="csrf_token" value="[^"]*"' | sed 's/.*value="//;s/"$//')
curl -s -b "$work/jar" -c "$work/jar" -o /dev/null --data-urlencode "csrf_token=$csrf" --data-urlencode "email=bench-csm@rapport.example" --data-urlencode "password=bench-password-1" "$url/login"
cookie="rapport_session=$(awk '$6=="rapport_session"{print $7}' "$work/jar")"
cat > "$work/p95.lua" <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("  p50 %.1f ms  p95 %.1f ms  p99 %.1f ms  %d requests, %d errors (non-2xx %d)\n", latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.timeout, summary.errors.status))
end
LUA
rows=$(curl -s -H "Cookie: $cookie" "$url/success" | grep -o '/success"' | wc -l)
echo "  the page lists $rows accounts"
run() { echo "$1"; wrk -t2 -c8 -d20s --timeout 10s -s "$work/p95.lua" -H "$3" "$url$2" | grep "p95" || echo "  (wrk failed)"; }
run "portfolio page (web)" "/success" "Cookie: $cookie"
run "portfolio API" "/api/v1/success/portfolio?owner_id=$owner" "Authorization: Bearer $token"
