#!/usr/bin/env bash
# The whole test suite. Some tests need real programs beside the app: the browser tests drive Debian's Chromium
# through Playwright, the proxy tests put Debian's nginx in front of the app, the multi-instance tests share a
# Debian redis-server, and the frontend tests run the frontends' own npm packages (tests/frontends) with Node. They
# are installed first when missing (Playwright's own browser download needs the internet, which build machines
# lack). The tests start and stop their own nginx and redis-server processes; the system services, when this script
# installs their packages, are left stopped.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo_if_needed=""
[ "$(id -u)" -eq 0 ] || sudo_if_needed="sudo"
missing=()
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || missing+=(chromium)
[ -x "${NGINX_PATH:-/usr/sbin/nginx}" ] || missing+=(nginx-light)
[ -x "${REDIS_SERVER_PATH:-/usr/bin/redis-server}" ] || missing+=(redis-server)
command -v "${NODE_BINARY:-node}" >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian's ${missing[*]} for the tests..."
  $sudo_if_needed apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_if_needed apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian starts the services it installs (where the machine lets it); the tests need none of them.
  for package in "${missing[@]}"; do
    case "$package" in
      nginx-light) $sudo_if_needed service nginx stop >/dev/null 2>&1 || true ;;
      redis-server) $sudo_if_needed service redis-server stop >/dev/null 2>&1 || true ;;
    esac
  done
fi

# The frontends' client packages, exactly as package-lock.json pins them; installed again only when it changed.
frontends=tests/frontends
if [ ! -f "$frontends/node_modules/.package-lock.json" ] || [ "$frontends/package-lock.json" -nt "$frontends/node_modules/.package-lock.json" ]; then
  echo "Installing the frontend test packages (npm ci in $frontends)..."
  npm ci --prefix "$frontends" --no-audit --no-fund --loglevel=error
fi

dotnet test "$@"
