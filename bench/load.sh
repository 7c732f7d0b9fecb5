#!/usr/bin/env bash
# Load benchmark (issue 4): the same CSV into SQLite and PostgreSQL, through
# Gongshu (validated, versioned, indexed, queryable) and side by side through
# sqlite3 .import and PostgreSQL COPY (no validation, no history; with and
# without the two identifier indexes Gongshu builds).
#
#   ROWS=1000000 PGDSN=postgres://postgres@127.0.0.1:5432/bench?sslmode=disable bash bench/load.sh
#
# PGDSN names a scratch database: the script creates and drops tables in it.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-1000000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/gongshu" ./cmd/gongshu
go run ./bench/gencsv -rows "$ROWS" -out "$tmp/data.csv"
echo "file: $ROWS rows, $(du -h "$tmp/data.csv" | cut -f1)"
maxmb=$(( $(stat -c %s "$tmp/data.csv") / 1048576 + 64 ))
t() { local s; s=$(date +%s.%N); "$@" >/dev/null; awk -v a="$(date +%s.%N)" -v b="$s" 'BEGIN { printf "%.2f", a - b }'; }
add() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a + b }'; }
rate() { awk -v n="$ROWS" -v s="$1" 'BEGIN { printf "%d", n / s }'; }

results=()
if command -v sqlite3 >/dev/null; then
  sqlite3 "$tmp/imp.db" "CREATE TABLE t (a TEXT, b TEXT, c TEXT, d TEXT, e TEXT, f TEXT, g TEXT, h TEXT, i TEXT, j TEXT, k INTEGER, l TEXT)"
  s1=$(t sqlite3 "$tmp/imp.db" -cmd ".mode csv" ".import --skip 1 $tmp/data.csv t")
  s2=$(t sqlite3 "$tmp/imp.db" "CREATE INDEX ia ON t (a); CREATE INDEX ic ON t (c)")
  results+=("sqlite|sqlite3 .import|$s1|-")
  results+=("sqlite|sqlite3 .import + 2 indexes|$(add "$s1" "$s2")|-")
else
  echo "sqlite3 not installed: apt-get install -y sqlite3"
fi
/usr/bin/time -f "%M" -o "$tmp/rss" "$tmp/gongshu" dataset bench --data "$tmp/g-sqlite" --max-upload-mb "$maxmb" --file "$tmp/data.csv" > "$tmp/g.json"
results+=("sqlite|gongshu load|$(grep -o '"seconds":[0-9.]*' "$tmp/g.json" | cut -d: -f2)|$(( $(cat "$tmp/rss") / 1024 ))")

if [ -n "${PGDSN:-}" ]; then
  psql "$PGDSN" -qc "DROP TABLE IF EXISTS bench_copy; CREATE TABLE bench_copy (a text, b text, c text, d text, e text, f date, g date, h text, i text, j numeric, k bigint, l text)"
  s1=$(t psql "$PGDSN" -qc "\copy bench_copy FROM '$tmp/data.csv' WITH (FORMAT csv, HEADER true)")
  s2=$(t psql "$PGDSN" -qc "CREATE INDEX ON bench_copy (a); CREATE INDEX ON bench_copy (c)")
  results+=("postgres|COPY|$s1|-")
  results+=("postgres|COPY + 2 indexes|$(add "$s1" "$s2")|-")
  psql "$PGDSN" -qc "DROP TABLE bench_copy"
  /usr/bin/time -f "%M" -o "$tmp/rss" "$tmp/gongshu" dataset bench --data "$tmp/g-pg" --db "$PGDSN" --max-upload-mb "$maxmb" --file "$tmp/data.csv" > "$tmp/g.json"
  results+=("postgres|gongshu load|$(grep -o '"seconds":[0-9.]*' "$tmp/g.json" | cut -d: -f2)|$(( $(cat "$tmp/rss") / 1024 ))")
fi

printf '\n%-9s %-30s %9s %10s %8s\n' engine tool seconds rows/s "RSS MB"
for r in "${results[@]}"; do
  IFS='|' read -r e tool s rss <<<"$r"
  printf '%-9s %-30s %9.2f %10s %8s\n' "$e" "$tool" "$s" "$(rate "$s")" "$rss"
done
