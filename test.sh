#!/usr/bin/env bash
# The test command: installs what the tests need when it is missing (Debian's chromium and
# chromium-driver for the browser tests; poppler-utils, whose pdftotext and pdftoppm read
# the reports' PDFs back), then runs every test. Those tests fail, never skip, without them.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null || ! command -v pdftotext >/dev/null; then
  echo "installing chromium, chromium-driver and poppler-utils for the browser and report tests…" >&2
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver poppler-utils >/dev/null
fi
exec cargo test --workspace "$@"
