#!/usr/bin/env bash
# Page benchmark: accounts list (API and web) and the account 360 page under load from wrk in a second
# process, with 100,000 accounts and 1,000,000 contacts, on SQLite or PostgreSQL; plus the server's
# memory at rest. Usage: Benchmarks/pages.sh [sqlite|postgres] [ACCOUNTS] [CONTACTS]
# PostgreSQL needs RAPPORT_BENCH_POSTGRES_URL (a database the script may fill; it uses its own schema).
set -euo pipefail
cd "$(dirname "$0")/.."
db=${1:-sqlite}; accounts=${2:-100000}; contacts=${3:-1000000}
bin=${RAPPORT_BIN:-$(swift build -c release --scratch-path .build-release --show-bin-path)/rapport}
work=$(mktemp -d); trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
if [ "$db" = postgres ]; then
  export RAPPORT_DATABASE_URL=${RAPPORT_BENCH_POSTGRES_URL:?set RAPPORT_BENCH_POSTGRES_URL}
  export RAPPORT_DATABASE_SCHEMA=bench_$(date +%s)
else
  export RAPPORT_DATABASE_URL="sqlite:$work/rapport.sqlite"
fi
python3 Benchmarks/make_accounts.py "$accounts" "$work/accounts.csv"
python3 Benchmarks/make_contacts.py "$contacts" "$work/contacts.csv" "$accounts"
"$bin" demo >/dev/null
"$bin" workspace create --slug bench --name Bench >/dev/null
RAPPORT_PASSWORD=bench-password-1 "$bin" user create --workspace bench --email bench@rapport.example --name Bench --role owner >/dev/null
t0=$(date +%s); "$bin" import accounts "$work/accounts.csv" --workspace bench >/dev/null 2>&1
t1=$(date +%s); "$bin" import contacts "$work/contacts.csv" --workspace bench >/dev/null 2>&1
t2=$(date +%s); echo "loaded $accounts accounts in $((t1 - t0)) s and $contacts contacts in $((t2 - t1)) s ($db)"
token=$("$bin" token create --workspace bench --role viewer --name bench)

port=$((20000 + RANDOM % 20000)); url="http://127.0.0.1:$port"
RAPPORT_LOG_LEVEL=warning "$bin" serve --port "$port" >"$work/serve.log" 2>&1 & server=$!
for _ in $(seq 1 120); do curl -fsS "$url/health" >/dev/null 2>&1 && break; sleep 0.5; done
# A browser session for the web pages.
csrf=$(curl -s -c "$work/jar" "$url/login" | grep -o 'name="csrf_token" value="[^"]*"' | sed 's/.*value="//;s/"$//')
curl -s -b "$work/jar" -c "$work/jar" -o /dev/null --data-urlencode "csrf_token=$csrf" --data-urlencode "email=bench@rapport.example" --data-urlencode "password=bench-password-1" "$url/login"
cookie="rapport_session=$(awk '$6=="rapport_session"{print $7}' "$work/jar")"
# Account ids to spread the 360-page requests over.
curl -s -H "Authorization: Bearer $token" "$url/api/v1/accounts?limit=500&sort=-created_at" | python3 -c 'import json,sys; [print(i["id"]) for i in json.load(sys.stdin)["items"]]' > "$work/ids"
sleep 5
echo "memory at rest: $(awk '/VmRSS/{print int($2/1024)}' /proc/$server/status) MB (target under 100 MB)"

cat > "$work/p95.lua" <<'LUA'
local ids = {}
local prefix = os.getenv("PATH_PREFIX")
local file = os.getenv("IDS")
if file and file ~= "" then for line in io.lines(file) do ids[#ids + 1] = line end end
request = function()
  if #ids > 0 then return wrk.format("GET", prefix .. ids[math.random(#ids)]) end
  return wrk.format("GET", prefix)
end
done = function(summary, latency, requests)
  io.write(string.format("  p50 %.1f ms  p95 %.1f ms  p99 %.1f ms  %d requests, %d errors\n", latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout))
end
LUA
run() {  # name, path prefix, header, ids file or ""
  echo "$1"
  PATH_PREFIX=$2 IDS=$4 wrk -t2 -c8 -d15s --timeout 5s -s "$work/p95.lua" -H "$3" "$url" | grep "p95" || echo "  (wrk failed)"
}
run "API accounts list (50 per page, sorted by name)" "/api/v1/accounts?limit=50" "Authorization: Bearer $token" ""
run "API accounts search (q=rhein)" "/api/v1/accounts?limit=50&q=rhein" "Authorization: Bearer $token" ""
run "web accounts list" "/accounts" "Cookie: $cookie" ""
run "web account 360 page (random accounts)" "/accounts/" "Cookie: $cookie" "$work/ids"
run "API account (random accounts)" "/api/v1/accounts/" "Authorization: Bearer $token" "$work/ids"
echo "memory after load: $(awk '/VmRSS/{print int($2/1024)}' /proc/$server/status) MB"
