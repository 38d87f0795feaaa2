#!/usr/bin/env bash
# How long a newcomer waits for `steward demo`, and how fast company-scale files are written.
# Usage: bench/demo.sh [runs]   (builds release first; writes under a temporary directory)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
cargo build --release --quiet
bin="$PWD/target/release/steward"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

echo "fresh 'steward demo --no-serve' (30 accounts, default sizes), $runs runs:"
for _ in $(seq "$runs"); do
  rm -rf "$work/data"
  /usr/bin/time -f "%e %M" -o "$work/t" "$bin" --data-dir "$work/data" demo --no-serve --as-of 2026-11-26 >/dev/null 2>&1
  cat "$work/t" >> "$work/demo"
done
echo "  median wall $(cut -d' ' -f1 "$work/demo" | median) s, median peak RSS $(cut -d' ' -f2 "$work/demo" | median) KB"

echo "'steward demo-files --scale company' (6,000 accounts), $runs runs:"
for _ in $(seq "$runs"); do
  rm -rf "$work/company"
  /usr/bin/time -f "%e %M" -o "$work/t" "$bin" demo-files --out "$work/company" --scale company --as-of 2026-11-26 --json > "$work/summary.json"
  cat "$work/t" >> "$work/company.times"
done
rows=$(python3 -c "import json; s=json.load(open('$work/summary.json')); print(s['eligibility_rows']+s['membership_rows']+s['visits']+s['survey_responses'])")
wall=$(cut -d' ' -f1 "$work/company.times" | median)
echo "  $(cat "$work/summary.json" | tr -d '\n ' )"
echo "  median wall $wall s, median peak RSS $(cut -d' ' -f2 "$work/company.times" | median) KB, $(python3 -c "print(f'{$rows / $wall / 1e6:.1f}')") million rows/s"
