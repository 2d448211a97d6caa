#!/usr/bin/env bash
# Measurement benchmark. RESPONSES (default 10,000,000) synthetic answers in 200 sources over 36 months
# on top of the demo workspace; then, in one run:
#   1. the time to rebuild every roll-up from the raw answers (target under 60 s),
#   2. NPS with n per touchpoint per month by pandas, DuckDB and Rapport's metrics API on the same rows,
#   3. every dashboard's p95 under wrk while answers keep arriving at 1,000/s through the API.
# Usage: Benchmarks/measurement.sh [sqlite|postgres] [RESPONSES]
# PostgreSQL needs RAPPORT_BENCH_POSTGRES_URL (a database the script may fill; it uses its own schema).
set -euo pipefail
cd "$(dirname "$0")/.."
db=${1:-sqlite}; n=${2:-10000000}
for tool in wrk sqlite3 psql; do command -v $tool >/dev/null || { echo "needs $tool (apt-get install wrk sqlite3 postgresql-client)"; exit 1; }; done
python3 -c "import pandas, duckdb" 2>/dev/null || python3 -m pip install -q pandas duckdb
bin=${RAPPORT_BIN:-$(swift build -c release --scratch-path .build-release --show-bin-path)/rapport}
work=$(mktemp -d "${RAPPORT_BENCH_DIR:-/tmp}/rapport-measurement.XXXXXX"); trap 'kill $server $writer 2>/dev/null || true; rm -rf "$work"' EXIT
server=""; writer=""
if [ "$db" = postgres ]; then
  export RAPPORT_DATABASE_URL=${RAPPORT_BENCH_POSTGRES_URL:?set RAPPORT_BENCH_POSTGRES_URL}
  export RAPPORT_DATABASE_SCHEMA=bench_$(date +%s)
else
  export RAPPORT_DATABASE_URL="sqlite:$work/rapport.sqlite"
fi
echo "== $n responses, 200 sources, 36 months ($db)"
"$bin" demo >/dev/null
"$bin" bench responses --workspace demo --responses "$n" --sources 200 --months 36 | grep -E "^(wrote|[0-9]+000000 of)" || true

echo "== the same rows for pandas and DuckDB (touchpoint, month, nps)"
if [ "$db" = postgres ]; then
  psql -q "$RAPPORT_DATABASE_URL" -c "\\copy (SELECT touchpoint_id, to_char(submitted_at AT TIME ZONE 'UTC', 'YYYY-MM'), (answers::jsonb->>'nps')::int FROM $RAPPORT_DATABASE_SCHEMA.survey_responses WHERE status = 'complete' AND touchpoint_id IS NOT NULL AND submitted_at IS NOT NULL) TO '$work/rows.csv' CSV"
else
  sqlite3 -csv "$work/rapport.sqlite" "SELECT touchpoint_id, strftime('%Y-%m', submitted_at, 'unixepoch'), json_extract(answers, '\$.nps') FROM survey_responses WHERE status = 'complete' AND touchpoint_id IS NOT NULL AND submitted_at IS NOT NULL" > "$work/rows.csv"
fi
echo "$(wc -l < "$work/rows.csv") rows, $(du -h "$work/rows.csv" | cut -f1)"

token=$("$bin" token create --workspace demo --role owner --name bench)
port=$((20000 + RANDOM % 20000)); url="http://127.0.0.1:$port"
RAPPORT_LOG_LEVEL=warning "$bin" serve --port "$port" >"$work/serve.log" 2>&1 & server=$!
for _ in $(seq 1 240); do curl -fsS "$url/health" >/dev/null 2>&1 && break; sleep 0.5; done
from=$(date -u -d "-37 months" +%Y-%m); to=$(date -u +%Y-%m)
echo "== NPS per touchpoint per month, $from to $to"
python3 Benchmarks/measurement_compare.py "$work/rows.csv" "$url" "$token" "$from" "$to"
rm -f "$work/rows.csv"

echo "== dashboards under wrk (one user, then 8 connections on 2 threads; 20 s each) while answers arrive at 1,000/s"
csrf=$(curl -s -c "$work/jar" "$url/login" | grep -o 'name="csrf_token" value="[^"]*"' | sed 's/.*value="//;s/"$//')
curl -s -b "$work/jar" -c "$work/jar" -o /dev/null --data-urlencode "csrf_token=$csrf" --data-urlencode "email=demo@rapport.example" --data-urlencode "password=rapport-demo" "$url/login"
cookie="rapport_session=$(awk '$6=="rapport_session"{print $7}' "$work/jar")"
cat > "$work/p95.lua" <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("  p50 %.1f ms  p95 %.1f ms  p99 %.1f ms  %d requests, %d errors (non-2xx %d)\n", latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.timeout, summary.errors.status))
end
LUA
python3 Benchmarks/measurement_writer.py "$url" "$token" 1000 255 & writer=$!
sleep 3
run() {
  echo "$1"
  for c in 1 8; do
    printf "  %d connection(s):" "$c"
    wrk -t$((c < 2 ? 1 : 2)) -c$c -d20s --timeout 10s -s "$work/p95.lua" -H "$3" "$url$2" | grep "p95" || echo "  (wrk failed)"
  done
}
run "executive dashboard (web page, 7 figures, last 12 months)" "/dashboards" "Cookie: $cookie"
run "journey owner dashboard (web page)" "/dashboards/journeys" "Cookie: $cookie"
run "ambassador dashboard (web page, market DE)" "/dashboards/unit?unit=market:DE" "Cookie: $cookie"
run "API: T-NPS per touchpoint per month, 3 years" "/api/v1/metrics?metric=nps&kind=transactional&group_by=touchpoint,month&from=$from&to=$to" "Authorization: Bearer $token"
run "API: R-NPS rolling 36 months" "/api/v1/metrics?metric=nps&kind=relationship&group_by=month&window=36&from=$from&to=$to" "Authorization: Bearer $token"
run "API: T-NPS per source against the period before" "/api/v1/metrics?metric=nps&kind=transactional&group_by=source&compare=previous" "Authorization: Bearer $token"
wait $writer || true; writer=""
"$bin" rollups check --workspace demo | tail -1
