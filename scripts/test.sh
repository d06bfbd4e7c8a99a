#!/usr/bin/env bash
# The whole test suite. Some tests need real programs beside the app: the browser tests drive Debian's Chromium
# through Playwright, and the proxy tests put Debian's nginx in front of the app. Both are installed first when
# missing (Playwright's own browser download needs the internet, which build machines lack). The tests start and
# stop their own nginx processes; the system's nginx service, when this script installs the package, is left stopped.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo_if_needed=""
[ "$(id -u)" -eq 0 ] || sudo_if_needed="sudo"
missing=()
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || missing+=(chromium)
[ -x "${NGINX_PATH:-/usr/sbin/nginx}" ] || missing+=(nginx-light)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian's ${missing[*]} for the tests..."
  $sudo_if_needed apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_if_needed apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  if [[ " ${missing[*]} " == *" nginx-light "* ]]; then
    # Debian starts the service it installs (where the machine lets it); the tests need none of it.
    $sudo_if_needed service nginx stop >/dev/null 2>&1 || true
  fi
fi

dotnet test "$@"
