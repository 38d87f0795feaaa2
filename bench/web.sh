#!/usr/bin/env bash
# Page latency under load, measured with wrk from a second process against a release
# `steward serve`: My book (an account manager's, and a page of the director's whole book),
# Account 360, My work, the pipeline, the forecast and the portfolio report — next to /healthz, a trivial endpoint of the same server, in the
# same run; then Account 360 and the portfolio as one person sees them (a view every 0.7 s
# for 30 s, nothing else asking). On the demo book (30 accounts) and at company scale (6,000).
# usage: bench/web.sh [demo|company|both] [SECONDS_PER_PAGE] [CONNECTIONS]
# With BENCH_BOOKS=DIR the books are kept in DIR and reused by later runs.
# With BENCH_DATABASE_URL=postgres://… the books live in that PostgreSQL database instead of
# the embedded SQLite file (one book per database: give each scale its own run).
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-both}
secs=${2:-20}
conns=${3:-4}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
cargo build --release --quiet
bin="$PWD/target/release/steward"
work=$(mktemp -d)
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
as_of=2026-11-26
password=bench-password-1

sign_in() { # url email cookie-jar
  local page csrf
  page=$(curl -s -c "$3" -b "$3" "$1/sign-in")
  csrf=$(grep -o 'name="csrf" value="[^"]*"' <<< "$page" | head -1 | sed 's/.*value="//; s/"$//')
  curl -s -o /dev/null -c "$3" -b "$3" --data-urlencode "email=$2" --data-urlencode "password=$password" \
    --data-urlencode "csrf=$csrf" --data-urlencode "next=/" "$1/sign-in"
  awk '$6 == "steward_session" {print "steward_session=" $7}' "$3"
}

measure() { # label url cookie
  local out
  out=$(wrk -t1 -c"$conns" -d"${secs}s" --latency -H "Cookie: $3" "$2")
  awk -v label="$1" '
    /^ +50%/ {p50 = $2} /^ +99%/ {p99 = $2} /Requests\/sec/ {rps = $2}
    /Non-2xx/ {bad = $NF}
    END { printf "  %-44s p50 %8s  p99 %8s  %8s req/s%s\n", label, p50, p99, rps, bad ? "  NON-2xx: " bad : "" }' <<< "$out"
}

one_viewer() { # label url cookie: a view every 0.7 s for 30 s, through three refreshes of
  # what is kept, with nothing else asking: what one person waits.
  for _ in $(seq 43); do curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -H "Cookie: $3" "$2"; sleep 0.7; done |
    LC_ALL=C sort -k2 -n | awk -v label="$1" '{ t[NR] = $2 * 1000; if ($1 != 200) bad++ } END {
      printf "  %-44s one viewer: median %6.1f ms, slowest %6.1f ms of %d%s\n", label, t[int((NR + 1) / 2)], t[NR], NR, bad ? "  NON-200: " bad : "" }'
}

run() { # name demo-args...
  local name=$1; shift
  local data="${BENCH_BOOKS:-$work}/$name"
  if [ -n "${BENCH_DATABASE_URL:-}" ]; then
    export STEWARD_DATABASE_URL="$BENCH_DATABASE_URL"
    data="$data-postgres"
  fi
  # A book is built once: the SQLite file, or a mark left beside a PostgreSQL one.
  if [ -f "$data/steward.db" ] || [ -f "$data/built" ]; then
    echo "== $name: reusing the book in $data"
  else
    echo "== $name: building the book (not timed)…"
    # A PostgreSQL book is built without waiting for each commit's flush to disk (tens of
    # thousands of file imports, each its own transaction); it is measured with the default.
    local db=${BENCH_DATABASE_URL:-}
    db=${db##*/}
    db=${db%%\?*}
    if [ -n "${BENCH_DATABASE_URL:-}" ]; then
      psql "$BENCH_DATABASE_URL" -qc "ALTER DATABASE \"$db\" SET synchronous_commit = off"
    fi
    "$bin" --data-dir "$data" demo --no-serve --as-of "$as_of" --password "$password" "$@" > /dev/null 2> "$work/$name.log"
    if [ -n "${BENCH_DATABASE_URL:-}" ]; then
      psql "$BENCH_DATABASE_URL" -qc "ALTER DATABASE \"$db\" RESET synchronous_commit"
    fi
    tail -1 "$work/$name.log"
    touch "$data/built"
  fi
  if [ -n "${BENCH_DATABASE_URL:-}" ]; then
    # The planner's statistics as autovacuum would keep them (some machines run with it off).
    psql "$BENCH_DATABASE_URL" -qc "ANALYZE"
  fi
  "$bin" --data-dir "$data" serve --bind 127.0.0.1:0 --today "$as_of" > "$work/$name.serve" 2>&1 &
  server=$!
  # Start-up runs the renewals job first: on PostgreSQL at company scale, some seconds.
  for _ in $(seq 1200); do grep -q "serving on" "$work/$name.serve" && break; sleep 0.1; done
  grep -q "serving on" "$work/$name.serve" || { echo "the server did not start:" >&2; cat "$work/$name.serve" >&2; exit 1; }
  local url
  url=$(grep -o 'http://[0-9.:]*' "$work/$name.serve" | head -1)
  local am director slug
  am=$("$bin" --data-dir "$data" users list --json | python3 -c "import json,sys; print([u['email'] for u in json.load(sys.stdin) if u['role'] == 'account_manager'][0])")
  director=$("$bin" --data-dir "$data" users list --json | python3 -c "import json,sys; print([u['email'] for u in json.load(sys.stdin) if u['role'] == 'director'][0])")
  slug=$("$bin" --data-dir "$data" accounts list --json | python3 -c "import json,sys; print([a['slug'] for a in json.load(sys.stdin) if a['owner'] == '$am' and a['status'] == 'live'][0])")
  local am_cookie dir_cookie
  am_cookie=$(sign_in "$url" "$am" "$work/$name.am.jar")
  dir_cookie=$(sign_in "$url" "$director" "$work/$name.dir.jar")
  # The first request builds the book (every account's row) while its user waits.
  echo "   first request, building the book: $(curl -s -o /dev/null -w '%{time_total}' -H "Cookie: $dir_cookie" "$url/book?owner=all") s"
  echo "   $(nproc) cores, wrk -t1 -c$conns -d${secs}s, server and wrk on the same machine, $([ -n "${STEWARD_DATABASE_URL:-}" ] && echo PostgreSQL || echo SQLite)"
  measure "/healthz (trivial, same server)" "$url/healthz" "$am_cookie"
  measure "My book (account manager)" "$url/book" "$am_cookie"
  measure "Book, page 1 of every account (director)" "$url/book?owner=all&sort=health" "$dir_cookie"
  measure "Account 360 ($slug)" "$url/accounts/$slug" "$am_cookie"
  measure "My work (account manager)" "$url/work" "$am_cookie"
  measure "Pipeline (account manager)" "$url/pipeline" "$am_cookie"
  measure "Pipeline, every owner (director)" "$url/pipeline?owner=all" "$dir_cookie"
  measure "Forecast, the company (director)" "$url/forecast?quarter=2027Q1&owner=all" "$dir_cookie"
  measure "Portfolio report (director)" "$url/portfolio" "$dir_cookie"
  one_viewer "Account 360 ($slug)" "$url/accounts/$slug" "$am_cookie"
  one_viewer "Portfolio report (director)" "$url/portfolio" "$dir_cookie"
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
}

if [ -n "${BENCH_DATABASE_URL:-}" ] && [ "$scale" = both ]; then
  echo "one book per PostgreSQL database: run demo and company separately, each with its own URL" >&2
  exit 2
fi
case "$scale" in
  demo) run demo ;;
  company) run company --accounts 6000 --lives-per-account 40 ;;
  both) run demo; run company --accounts 6000 --lives-per-account 40 ;;
  *) echo "usage: bench/web.sh [demo|company|both] [SECONDS] [CONNECTIONS]" >&2; exit 2 ;;
esac
