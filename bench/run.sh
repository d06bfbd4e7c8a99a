#!/usr/bin/env bash
# Reproduces bench/README.md's table: builds the service and the bench in Release, then runs every scenario
# against servers the bench starts itself on 127.0.0.1. Pass --smoke for tiny sizes, --scenario N for one.
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n "$(ulimit -Hn)" # 10,000 held streams need a descriptor each, on both sides
dotnet build -c Release src/StreamingApi >/dev/null
dotnet build -c Release bench/StreamingApi.Bench >/dev/null
exec dotnet bench/StreamingApi.Bench/bin/Release/net10.0/StreamingApi.Bench.dll "$@"
