#!/usr/bin/env bash
# Benchmarks the daemon against an etcd it starts itself (issue 6's measures) and writes the results table.
# Takes about 3 minutes; other load on the machine shows in the numbers. Arguments go to the bench
# (--out FILE, default bench/results.md; --samples N; --large-samples N; --idle-seconds N).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
exec dotnet run -c Release --project bench/Reconciler.Bench -- "$@"
