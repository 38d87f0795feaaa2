#!/usr/bin/env bash
# Schemathesis (from pip) against a running Steward on a demo book, with every check and
# the seed in schemathesis.toml, as an admin and as a client user: the API must answer as
# its OpenAPI document says, for valid and invalid input alike. Exits non-zero on any
# failure. Usage: scripts/schemathesis.sh [MAX_EXAMPLES]   (default 40 per operation)
set -euo pipefail
cd "$(dirname "$0")/.."
examples=${1:-40}
python3 -c "import schemathesis" 2>/dev/null || pip install -q "schemathesis==4.32.5"
cargo build --locked --quiet -p steward
bin="$PWD/target/debug/steward"
data=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$data"' EXIT

"$bin" --data-dir "$data" demo --no-serve --seed 7 --accounts 8 --as-of 2026-06-30 --password "schemathesis-demo-1" > "$data/demo.log"
token() { "$bin" --data-dir "$data" tokens create "$1" --name schemathesis --json | python3 -c "import json, sys; print(json.load(sys.stdin)['token'])"; }
users=$("$bin" --data-dir "$data" users list --json)
admin=$(echo "$users" | python3 -c "import json, sys; print(next(u['email'] for u in json.load(sys.stdin) if u['role'] == 'admin'))")
client=$(echo "$users" | python3 -c "import json, sys; print(next(u['email'] for u in json.load(sys.stdin) if u['role'] == 'client'))")

"$bin" --data-dir "$data" serve --bind "127.0.0.1:$port" --today 2026-06-30 > "$data/serve.log" 2>&1 &
server=$!
python3 - "$port" <<'PY'
import sys, time, urllib.request
for _ in range(100):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/healthz", timeout=1)
        break
    except OSError:
        time.sleep(0.2)
PY

status=0
for who in "$admin" "$client"; do
  echo "== schemathesis as $(echo "$users" | python3 -c "import json, sys; print(next(u['role'] for u in json.load(sys.stdin) if u['email'] == '$who'))")"
  st --config-file schemathesis.toml run "http://127.0.0.1:$port/api/v1/openapi.json" \
    --url "http://127.0.0.1:$port/api/v1" --checks all --max-examples "$examples" --workers 1 ${ST_SEED:+--seed "$ST_SEED"} \
    -H "Authorization: Bearer $(token "$who")" || status=1
done
exit $status
