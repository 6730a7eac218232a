#!/usr/bin/env bash
# Runs the whole test suite: installs etcd and HAProxy when missing, then dotnet test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
dotnet test Reconciler.sln -c Release --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log" || status=$?
# one plain summary line for whoever reads the end of the output
awk '/^ +Passed: +[0-9]+$/ { passed += $2 } /^ +Failed: +[0-9]+$/ { failed += $2 }
     END { printf "%d passed, %d failed\n", passed, failed }' "$log"
exit "$status"
