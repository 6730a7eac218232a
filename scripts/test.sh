#!/usr/bin/env bash
# Runs the whole test suite: installs etcd and HAProxy when missing, then dotnet test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
dotnet test Reconciler.sln -c Release --logger "console;verbosity=normal" "$@"
