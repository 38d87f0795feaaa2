#!/usr/bin/env bash
# Health and playbooks at company scale: 6,000 accounts with 36 months of metrics and their
# contracts, contacts, activities, CSAT and tasks (a demo book of 6,000 small accounts).
# usage: bench/health.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
cargo build --release --quiet
bin="$PWD/target/release/steward"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "building a 6,000-account book (not timed)…"
"$bin" --data-dir "$work/data" demo --no-serve --accounts 6000 --lives-per-account 40 --as-of 2026-11-26 --password bench-password-1 > /dev/null 2> "$work/demo.log"
tail -1 "$work/demo.log"
"$bin" --data-dir "$work/data" metrics --json > "$work/metrics.json"
python3 -c "import json; rows = json.load(open('$work/metrics.json')); print(len({r['account'] for r in rows}), 'accounts with metrics,', len(rows), 'account-months')"
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
for what in "health --json" "playbooks run --dry-run --today 2026-11-26 --json" "backtest --json"; do
  : > "$work/t"
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e" -a -o "$work/t" "$bin" --data-dir "$work/data" $what > "$work/out.json"
  done
  echo "steward $what: median $(median < "$work/t") s over $runs runs"
done
python3 -c "import json; d = json.load(open('$work/out.json')); print('backtest:', d['decisions'], 'decisions, AUC', round(d['auc'], 3))"
