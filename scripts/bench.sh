#!/usr/bin/env bash
# Benchmarks the daemon against an etcd it starts itself (issue 6's measures) and writes the results table.
# Takes about 3 minutes; other load on the machine shows in the numbers. Arguments go to the bench
# (--out FILE, default bench/results.md; --samples N; --large-samples N; --idle-seconds N).
# --pool-changes and --runtime-files measure zero-reload pool changes and maps/certificates against a real HAProxy.
# --cold-path runs issue 12's comparison instead (fresh starts, sparse and back-to-back changes, RSS, next to
# confd in the same run). Without --lever it measures the package's build, the native executable of
# scripts/publish.sh (published first, about two minutes); levers name others, e.g. the JIT build next to it:
#   scripts/bench.sh --cold-path --out bench/cold-path.md --lever build= --lever native=/usr/bin/reconciler
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
if [[ " $* " == *" --cold-path "* && " $* " != *" --lever "* ]]; then
  native="$(mktemp -d)"
  trap 'rm -rf "$native"' EXIT
  echo "bench: publishing the package's native executable" >&2
  scripts/publish.sh "$native/out" --artifacts "$native/build"
  set -- "$@" --lever "native=$native/out/reconciler"
fi
dotnet run -c Release --project bench/Reconciler.Bench -- "$@"
