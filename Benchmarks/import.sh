#!/usr/bin/env bash
# Import benchmark: N contacts from CSV into SQLite with `rapport import`, against sqlite3's own .import of
# the same file into an equivalent table (same columns, unique external id), in the same run.
# Usage: Benchmarks/import.sh [ROWS] [RAPPORT_BINARY]   (default 1000000, the release build)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
bin=${2:-$(swift build -c release --scratch-path .build-release --show-bin-path)/rapport}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
python3 Benchmarks/make_contacts.py "$rows" "$work/contacts.csv"
echo "file: $rows rows, $(du -h "$work/contacts.csv" | cut -f1)"

# Three baselines, all sqlite3's own .import of the same file in WAL mode:
#  plain:      a table of the file's columns with a unique external id (the only index .import needs);
#  equivalent: the same table with the keys Rapport's contacts table keeps for its pages (last name,
#              account + last name, e-mail), so both sides maintain the same four indexes;
#  load+index: the plain import, then the same three keys built once at the end (what Rapport does for
#              a large file, and the fastest way sqlite3 has to fill the equivalent table).
pages="CREATE INDEX c_last ON contacts (last_name, external_id); CREATE INDEX c_account ON contacts (account_external_id, last_name, external_id); CREATE INDEX c_email ON contacts (email);"
baseline() {  # name, then "equivalent" (page indexes first) or "after" (page indexes after the load)
  local before="" after=""
  [ "${2:-}" = equivalent ] && before=$pages
  [ "${2:-}" = after ] && after=$pages
  sqlite3 "$work/$1.sqlite" "PRAGMA journal_mode=WAL;" "CREATE TABLE contacts (external_id TEXT, account_external_id TEXT, first_name TEXT, last_name TEXT, email TEXT, phone TEXT, role TEXT, language TEXT, channel_preferences TEXT);" "CREATE UNIQUE INDEX contacts_ext ON contacts (external_id); $before" >/dev/null
  local start=$(date +%s.%N)
  sqlite3 "$work/$1.sqlite" ".mode csv" ".import --skip 1 $work/contacts.csv contacts" "$after"
  python3 -c "print(round($(date +%s.%N) - $start, 2))"
}
base=$(baseline plain "")
echo "sqlite3 .import, plain table: ${base} s"
equiv=$(baseline equivalent equivalent)
echo "sqlite3 .import, equivalent indexes: ${equiv} s"
loaded=$(baseline loaded after)
echo "sqlite3 .import, then the equivalent indexes: ${loaded} s"

export RAPPORT_DATABASE_URL="sqlite:$work/rapport.sqlite"
"$bin" workspace create --slug bench --name Bench >/dev/null
/usr/bin/time -f "%e %M" -o "$work/time" "$bin" import contacts "$work/contacts.csv" --workspace bench >/dev/null 2>"$work/progress"
read -r secs kb < "$work/time"
echo "rapport import: ${secs} s, peak memory $((kb / 1024)) MB"
echo "ratio: $(python3 -c "print(round($secs / $base, 2))") x the plain table, $(python3 -c "print(round($secs / $equiv, 2))") x the equivalent one, $(python3 -c "print(round($secs / $loaded, 2))") x load+index (target: at most 5 x; memory target: under 300 MB)"
echo "rows stored: $(sqlite3 "$work/rapport.sqlite" 'SELECT COUNT(*) FROM contacts')"
