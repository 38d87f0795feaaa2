#!/usr/bin/env bash
# Scheduling a large implementation project (critical path, slack, a status date over
# business days with holidays): a 500-task plan worked out many times, release build.
# usage: bench/projects.sh [TASKS] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet -p steward-domain --example schedule
target/release/examples/schedule "${1:-500}" "${2:-200}"
