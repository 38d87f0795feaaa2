#!/usr/bin/env bash
# Quarterly business reviews: how long one review's PDF takes through the binary (store
# open, figures, peers, typesetting, writing), how long the director's portfolio report's
# PDF takes, and how long a whole book's client reviews take to generate and keep
# (`steward reports generate --all`, in parallel).
#
#   bench/reports.sh            a demo book of 30 accounts
#   bench/reports.sh company    6,000 accounts of 40 lives (built once; BENCH_BOOKS keeps it)
set -euo pipefail
cd "$(dirname "$0")/.."
as_of=2026-06-30
cargo build --release --quiet -p steward
bin="$PWD/target/release/steward"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ "${1:-}" = company ]; then
  data="${BENCH_BOOKS:-$work}/reports-company"
  args=(--accounts 6000 --lives-per-account 40)
else
  data="${BENCH_BOOKS:-$work}/reports-demo"
  args=(--accounts 30)
fi
if [ ! -f "$data/steward.db" ]; then
  start=$(date +%s.%N)
  "$bin" --data-dir "$data" demo --no-serve "${args[@]}" --as-of "$as_of" --password "reports-bench-1" \
    > "$work/demo.log" 2>&1
  echo "demo book (publishing every live account's review of the last quarter): $(echo "$(date +%s.%N) - $start" | bc) s"
fi
slug=$("$bin" --data-dir "$data" accounts list --json | python3 -c 'import json,sys; print(next(a["slug"] for a in json.load(sys.stdin) if a["status"]=="live"))')

# One review's PDF, ten times: the median wall time of the whole command.
for i in $(seq 10); do
  start=$(date +%s%N)
  "$bin" --data-dir "$data" reports qbr --account "$slug" --quarter 2026-Q2 --format pdf --out "$work/one.pdf"
  echo $(( ($(date +%s%N) - start) / 1000000 ))
done | sort -n | awk '{ a[NR] = $1 } END { printf "one review PDF (%s): median %d ms, min %d ms, max %d ms\n", "'"$slug"'", a[int((NR + 1) / 2)], a[1], a[NR] }'
ls -l "$work/one.pdf" | awk '{ print "  " $5 " bytes" }'

# The director's portfolio report as a PDF, five times: every account's summary (health,
# ARR, renewal) read and worked out, then renewals, retention and goals, then typesetting.
for i in $(seq 5); do
  start=$(date +%s%N)
  "$bin" --data-dir "$data" reports portfolio --format pdf --out "$work/portfolio.pdf"
  echo $(( ($(date +%s%N) - start) / 1000000 ))
done | sort -n | awk '{ a[NR] = $1 } END { printf "portfolio PDF: median %d ms, min %d ms, max %d ms\n", a[int((NR + 1) / 2)], a[1], a[NR] }'
ls -l "$work/portfolio.pdf" | awk '{ print "  " $5 " bytes" }'

# Every live account's client review of a quarter, generated and kept (a new version each:
# the quarter before the one the demo published).
"$bin" --data-dir "$data" reports generate --all --quarter 2026-Q1
