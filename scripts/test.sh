#!/usr/bin/env bash
# The whole test suite. The browser tests drive Debian's Chromium through Playwright, so Chromium is installed
# first when it is missing (Playwright's own browser download needs the internet, which build machines lack).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  echo "Installing Debian's chromium for the browser tests..."
  sudo_if_needed=""
  [ "$(id -u)" -eq 0 ] || sudo_if_needed="sudo"
  $sudo_if_needed apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_if_needed apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

dotnet test "$@"
