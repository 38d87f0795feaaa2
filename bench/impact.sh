#!/usr/bin/env bash
# Initiative impact estimates, release build.
#
#   bench/impact.sh [ACCOUNTS] [SEED]   The honesty of the estimates on the demo's files: a
#     book of ACCOUNTS (default 650) whose initiatives carry known true effects in their member
#     files; every measured one's 95% interval is compared with its true effect
#     (bench/impact_study.py). Targets (issue 13): intervals hold the truth 90–99% of the
#     time, mean error under 0.5 points, zero effects significant at most 7%, over at least
#     200 estimates.
#   bench/impact.sh company            Reading every measured initiative's impact in the
#     6,000-account book bench/web.sh uses (40 lives an account); the target is under 10 s.
#
# With BENCH_BOOKS=DIR the books are kept in DIR and reused.
set -euo pipefail
cd "$(dirname "$0")/.."
as_of=2026-06-30
cargo build --release --quiet -p steward
bin="$PWD/target/release/steward"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ "${1:-}" = company ]; then
  data="${BENCH_BOOKS:-$work}/impact-company"
  if [ ! -f "$data/steward.db" ]; then
    "$bin" --data-dir "$data" demo --no-serve --accounts 6000 --lives-per-account 40 --as-of "$as_of" \
      --password "impact-study-1" > "$work/demo.log" 2>&1
    tail -1 "$work/demo.log"
  fi
  for run in 1 2 3; do
    "$bin" --data-dir "$data" initiatives impact --today "$as_of" --json 2>&1 > /dev/null | tail -1
  done
  exit 0
fi

accounts=${1:-650}
seed=${2:-11}
data="${BENCH_BOOKS:-$work}/impact-$accounts-$seed"
if [ ! -f "$data/steward.db" ]; then
  "$bin" --data-dir "$data" demo --no-serve --seed "$seed" --accounts "$accounts" --as-of "$as_of" \
    --password "impact-study-1" > "$work/demo.log" 2>&1
  tail -1 "$work/demo.log"
fi
"$bin" --data-dir "$data" initiatives list --today "$as_of" --json > "$work/list.json"
"$bin" --data-dir "$data" initiatives impact --today "$as_of" --json > "$work/impacts.json"
python3 bench/impact_study.py "$data/demo-files/truth.json" "$work/impacts.json" --list "$work/list.json" \
  --min-coverage 0.90 --max-coverage 0.99 --max-bias 0.5 --max-false-alarms 0.07 --min-estimates 200
