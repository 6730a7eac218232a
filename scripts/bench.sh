#!/usr/bin/env bash
# Benchmarks the daemon against an etcd it starts itself (issue 6's measures) and writes the results table.
# Takes about 3 minutes; other load on the machine shows in the numbers. Arguments go to the bench
# (--out FILE, default bench/results.md; --samples N; --large-samples N; --idle-seconds N).
# --pool-changes and --runtime-files measure zero-reload pool changes and maps/certificates against a real HAProxy.
# --cold-path runs issue 12's comparison instead (fresh starts, sparse and back-to-back changes, RSS, next to
# confd in the same run), e.g. against the package's publish with a runtime knob:
#   scripts/bench.sh --cold-path --out bench/cold-path.md --lever build= \
#     --lever package=/usr/lib/reconciler/reconciler --lever tc-off=/usr/lib/reconciler/reconciler,DOTNET_TieredCompilation=0
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
exec dotnet run -c Release --project bench/Reconciler.Bench -- "$@"
