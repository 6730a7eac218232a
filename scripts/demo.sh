#!/usr/bin/env bash
# Runs the daemon on the file backend (no etcd needed): renders demo-output/haproxy.cfg from
# config/demo/keys.yaml and re-renders it whenever you edit that file. Ctrl-C to stop.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
mkdir -p demo-output
# dotnet run builds silently: a first build takes a while and would look like a hang
if [ ! -e Reconciler.Host/bin/Release/net10.0/reconciler.dll ]; then
  echo "demo: building Reconciler (first run only, about a minute)..." >&2
else
  echo "demo: checking the build..." >&2
fi
dotnet build Reconciler.Host -c Release -nologo -v quiet
echo "demo: starting the daemon on config/hocon/demo.conf; edit config/demo/keys.yaml and watch demo-output/haproxy.cfg" >&2
exec dotnet run --no-build --project Reconciler.Host -c Release -- --config config/hocon/demo.conf "$@"
