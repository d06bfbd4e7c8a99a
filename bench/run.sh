#!/usr/bin/env bash
# Reproduces bench/README.md's table: builds the service and the bench in Release, then runs every scenario
# against servers the bench starts itself on 127.0.0.1 (and a redis-server for scenario 7). Pass --smoke for tiny
# sizes, --scenario N for one; --scenario 12 --http2 draws the cost curve over HTTP/2 (h2c) instead of HTTP/1.1.
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n "$(ulimit -Hn)" # 10,000 held streams need a descriptor each, on both sides
if [ ! -x /usr/bin/redis-server ]; then # scenario 7 keeps runs in a redis-server of its own
  sudo_if_needed=""
  [ "$(id -u)" -eq 0 ] || sudo_if_needed="sudo"
  $sudo_if_needed apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_if_needed apt-get install -y -qq --no-install-recommends redis-server >/dev/null
  $sudo_if_needed service redis-server stop >/dev/null 2>&1 || true
fi
dotnet build -c Release src/StreamingApi >/dev/null
dotnet build -c Release bench/StreamingApi.Bench >/dev/null
exec dotnet bench/StreamingApi.Bench/bin/Release/net10.0/StreamingApi.Bench.dll "$@"
