#!/usr/bin/env bash
# Benchmarks the daemon against an etcd it starts itself (issue 6's measures) and writes the results table.
# Takes about 5 minutes; other load on the machine shows in the numbers. Extra arguments go to the bench.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
exec dotnet run -c Release --project bench/Reconciler.Bench -- --out bench/results.md "$@"
