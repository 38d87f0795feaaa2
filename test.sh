#!/usr/bin/env bash
# The test command: installs what the browser tests need (Debian's chromium and
# chromium-driver) when they are missing, then runs every test. The browser tests fail,
# never skip, without them.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  echo "installing chromium and chromium-driver for the browser tests…" >&2
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver >/dev/null
fi
exec cargo test --workspace "$@"
