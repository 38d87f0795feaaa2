#!/usr/bin/env bash
# ARR snapshots and retention at company scale: 6,000 accounts with 36 months of metrics
# and contracts (a demo book of 6,000 small accounts), through the release binary.
# usage: bench/commercial.sh [RUNS]   (BENCH_BOOKS=DIR keeps the book in DIR/company)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
cargo build --release --quiet
bin="$PWD/target/release/steward"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
data="${BENCH_BOOKS:-$work}/company"
if [ -f "$data/steward.db" ]; then
  echo "reusing the book in $data"
else
  echo "building a 6,000-account book (not timed)…"
  "$bin" --data-dir "$data" demo --no-serve --accounts 6000 --lives-per-account 40 --as-of 2026-11-26 --password bench-password-1 > /dev/null 2> "$work/demo.log"
  tail -1 "$work/demo.log"
fi
"$bin" --data-dir "$data" arr --json > "$work/arr.json"
python3 -c "import json; rows = json.load(open('$work/arr.json')); print(len({r['account'] for r in rows}), 'accounts with ARR history,', len(rows), 'account-month snapshots')"
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
for what in "retention --month 2026-10 --json" "retention --month 2026-10 --by owner --json" "arr --json" "arr --refresh --from 2026-10 --to 2026-10 --json"; do
  : > "$work/t"
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e" -a -o "$work/t" "$bin" --data-dir "$data" $what > "$work/out.json" 2> "$work/err"
  done
  echo "steward $what: median $(median < "$work/t") s over $runs runs $(grep -o 'in [0-9.]* s' "$work/err" | head -1 | sed 's/^/(snapshots recomputed /; s/$/)/' || true)"
done
python3 -c "import json; r = json.load(open('$work/out.json')); print('snapshots of 2026-10:', len(r))"
# The computation alone, on the same book's contracts and metrics read into memory.
cargo build --release --quiet --example arr_compute
target/release/examples/arr_compute "$data" 5
