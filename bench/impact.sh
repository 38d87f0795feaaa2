#!/usr/bin/env bash
# The honesty of initiative impact estimates on the demo's files: a book of N accounts
# (release build) whose initiatives carry known true effects in their member files; every
# measured one's 95% interval is compared with its true effect (bench/impact_study.py), and
# reading them all is timed. Targets (issue 13): intervals hold the truth 90–99% of the
# time, mean error under 0.5 points, zero effects significant at most 7%.
# usage: bench/impact.sh [ACCOUNTS] [SEED]
set -euo pipefail
cd "$(dirname "$0")/.."
accounts=${1:-450}
seed=${2:-11}
as_of=2026-06-30
cargo build --release --quiet -p steward
bin="$PWD/target/release/steward"
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
"$bin" --data-dir "$data" demo --no-serve --seed "$seed" --accounts "$accounts" --as-of "$as_of" \
  --password "impact-study-1" > "$data/demo.log"
tail -1 "$data/demo.log"
"$bin" --data-dir "$data" initiatives list --today "$as_of" --json > "$data/list.json"
"$bin" --data-dir "$data" initiatives impact --today "$as_of" --json > "$data/impacts.json"
python3 bench/impact_study.py "$data/demo-files/truth.json" "$data/impacts.json" --list "$data/list.json" \
  --min-coverage 0.90 --max-coverage 0.99 --max-bias 0.5 --max-false-alarms 0.07 --min-estimates 200
