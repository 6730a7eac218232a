#!/usr/bin/env bash
# Runs the daemon on the file backend (no etcd needed): renders demo-output/haproxy.cfg from
# config/demo/keys.yaml and re-renders it whenever you edit that file. Ctrl-C to stop.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
mkdir -p demo-output
exec dotnet run --project Reconciler.Host -c Release -- --config config/hocon/demo.conf "$@"
