#!/usr/bin/env bash
# Company scale, in one run on this machine: Steward (import every file, then print the
# metrics of every account) against DuckDB (computing the same monthly table from the
# same CSV files in SQL). Checks that every account-month agrees, then reports wall time
# and peak RSS of both, and the throughput of the X12 834 and FHIR NDJSON importers.
#
# usage: bench/company.sh [WORKDIR] [RUNS]   (needs ~10 GB free; pip install duckdb==2.0.1)
# Each side runs RUNS times (default 3), alternating; medians are reported.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-$(mktemp -d)}
runs=${2:-3}
mkdir -p "$work"
python3 -c "import duckdb" 2>/dev/null || pip install -q duckdb==2.0.1
cargo build --release --quiet
bin="$PWD/target/release/steward"
files="$work/files"

if [ ! -f "$files/manifest.json" ]; then
  echo "== generating company-scale files (not timed in the comparison)"
  "$bin" demo-files --out "$files" --scale company --as-of 2026-11-26
fi
du -sh "$files"

: > "$work/steward.times"
: > "$work/duckdb.times"
for run in $(seq "$runs"); do
  echo "== run $run: Steward: demo-import (every file, one batch each) + metrics --json for every account"
  rm -rf "$work/data"
  /usr/bin/time -f "%e %M" -o "$work/s1" "$bin" --data-dir "$work/data" demo-import "$files"
  /usr/bin/time -f "%e %M" -o "$work/s2" "$bin" --data-dir "$work/data" metrics --json > "$work/steward.json"
  paste -d' ' "$work/s1" "$work/s2" >> "$work/steward.times"
  echo "== run $run: DuckDB $(python3 -c 'import duckdb; print(duckdb.__version__)'): the same monthly table in SQL"
  /usr/bin/time -f "%e %M" -o "$work/d1" python3 bench/duckdb_metrics.py "$files" "$work/duckdb.csv"
  cat "$work/d1" >> "$work/duckdb.times"
done

echo "== agreement (last run)"
python3 bench/compare.py "$work/steward.json" "$work/duckdb.csv"

python3 - "$work/steward.times" "$work/duckdb.times" <<'PY'
import statistics, sys
s = [list(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
d = [list(map(float, l.split())) for l in open(sys.argv[2]) if l.strip()]
s_wall = [r[0] + r[2] for r in s]
s_rss = [max(r[1], r[3]) / 1024 for r in s]
d_wall = [r[0] for r in d]
d_rss = [r[1] / 1024 for r in d]
sm, dm = statistics.median(s_wall), statistics.median(d_wall)
print(f"steward: median {sm:.1f} s wall over {len(s)} runs {sorted(round(x, 1) for x in s_wall)}, peak RSS {max(s_rss):.0f} MB")
print(f"duckdb:  median {dm:.1f} s wall over {len(d)} runs {sorted(round(x, 1) for x in d_wall)}, peak RSS {max(d_rss):.0f} MB")
print(f"steward is {dm / sm:.2f}x faster with {max(d_rss) / max(s_rss):.1f}x less memory")
PY

echo "== X12 834 and FHIR NDJSON importers (the company files' alternate encodings)"
rm -rf "$work/alt"
python3 - "$files" > "$work/alt.list" <<'PY'
import json, sys
m = json.load(open(f"{sys.argv[1]}/manifest.json"))
for a in m["accounts"]:
    if a["alternates"]:
        print(a["slug"], " ".join(a["alternates"]))
PY
while read -r slug _; do "$bin" --data-dir "$work/alt" accounts add "$slug" --name "$slug" > /dev/null; done < "$work/alt.list"
measure() { # kind pattern
  local bytes=0 start end
  start=$(date +%s.%N)
  while read -r slug rest; do
    local picked=()
    for f in $rest; do case "$f" in $2) picked+=("$files/$f"); bytes=$((bytes + $(stat -c %s "$files/$f")));; esac; done
    "$bin" --data-dir "$work/alt" import "$1" "${picked[@]}" --account "$slug" > /dev/null 2>&1
  done < "$work/alt.list"
  end=$(date +%s.%N)
  python3 -c "import sys; b, t = $bytes, $end - $start; print(f'$1 ($2): {b / 1e6:.0f} MB in {t:.1f} s = {b / 1e6 / t:.0f} MB/s')"
}
echo "  per account, every file its own batch with its metrics recomputed:"
measure eligibility '*.edi'
measure visits '*.ndjson'
echo "  one large file each (a 150,000-life account), parser and batch together:"
"$bin" demo-files --out "$work/large" --accounts 3 --lives-per-account 150000 --seed 3 --as-of 2026-11-26 > /dev/null
large_slug=$(python3 -c "import json; m = json.load(open('$work/large/manifest.json')); print(next(a['slug'] for a in m['accounts'] if a['eligibility_format'] == 'x12_834'))")
full=$(ls "$work/large/eligibility/$large_slug/"834-full-*.edi)
fhir=$(ls "$work/large/visits/"*.ndjson | head -1)
fhir_slug=$(basename "$fhir" .ndjson)
rm -rf "$work/large-data"
for s in $large_slug $fhir_slug; do "$bin" --data-dir "$work/large-data" accounts add "$s" --name "$s" > /dev/null 2>&1 || true; done
"$bin" --data-dir "$work/large-data" import eligibility "$full" --account "$large_slug" | sed 's/^/    /'
"$bin" --data-dir "$work/large-data" import visits "$fhir" --account "$fhir_slug" | sed 's/^/    /'
