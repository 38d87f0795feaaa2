#!/usr/bin/env bash
# Randomized and mutated inputs through every parser for as long as asked (issue 9): the
# fixtures (tests/fixtures, public samples included) mutated the ways real files go wrong,
# a value planted in each. A panic, an echoed value, a parse slower than linear or a hang
# is a failure; its input is kept in crates/steward-ingest/tests/fixtures/fuzz-regressions/
# and replayed by `cargo test -p steward-ingest --test robust` from then on.
# Usage: bench/fuzz.sh MINUTES [SEED]   (exit 1 when anything failed)
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:?usage: bench/fuzz.sh MINUTES [SEED]}
seed=${2:-$(date +%s)}
cargo run --release --quiet -p steward-ingest --example fuzz -- "$minutes" "$seed"
