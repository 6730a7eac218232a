#!/usr/bin/env bash
# Runs the whole test suite: installs etcd, HAProxy and the native toolchain when missing; publishes the package's
# build (scripts/publish.sh: the native executable; a trim or AOT warning fails it, and so the run); runs dotnet test
# (the packaging tests package that same executable); then the tests that start the executable (trait
# Executable=reconciler) a second time, against the native executable, the build operators run rather than the JIT
# one next to the tests. With arguments (e.g. --filter ...) they go to the first pass only, nothing is published, and
# the second pass is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
log="$work/test.log"
status=0
if (($# == 0)); then
  echo "Publishing the package's build (native executable) for the executable's and the package's tests"
  scripts/publish.sh "$work/published" --artifacts "$work/artifacts"
  export RECONCILER_PACKAGE_EXECUTABLE="$work/published/reconciler"
fi
dotnet test Reconciler.sln -c Release --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log" || status=$?
if (($# == 0)); then
  RECONCILER_EXECUTABLE="$work/published/reconciler" dotnet test Reconciler.sln -c Release --no-build \
    --logger "console;verbosity=normal" --filter "Executable=reconciler" 2>&1 | tee -a "$log" || status=$?
fi
# the failed tests again, with their messages, and one plain summary line, for whoever reads only the end of the output
awk '/^  Failed [^ ]/ { show = 1; lines = 0; print "" } /^  (Passed|Skipped) / { show = 0 }
     show && lines++ < 25 { print }' "$log"
awk '/^ +Passed: +[0-9]+$/ { passed += $2 } /^ +Failed: +[0-9]+$/ { failed += $2 }
     END { printf "%d passed, %d failed\n", passed, failed }' "$log"
exit "$status"
