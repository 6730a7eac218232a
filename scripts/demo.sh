#!/usr/bin/env bash
# Runs the daemon on the file backend (no etcd needed): renders demo-output/haproxy.cfg from
# config/demo/keys.yaml and re-renders it whenever you edit that file. Ctrl-C, or kill -INT of this
# script's pid, stops it.
# It installs only what the demo runs: haproxy, for the template's check-cmd (haproxy -c); building
# needs the .NET SDK. DEMO_SKIP_BUILD=1 runs the executable already built (the tests use it).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v haproxy >/dev/null; then
  echo "demo: installing haproxy, for the template's check-cmd (haproxy -c); where systemd runs, Debian's package also starts haproxy.service, which the demo does not use" >&2
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq haproxy >/dev/null
fi
executable=$PWD/Reconciler.Host/bin/Release/net10.0/reconciler
if [[ ${DEMO_SKIP_BUILD:-} != 1 ]]; then
  # dotnet build is quiet: a first build takes a while and would look like a hang
  if [[ ! -e $executable ]]; then
    echo "demo: building Reconciler (first run only, about a minute)..." >&2
  else
    echo "demo: checking the build..." >&2
  fi
  dotnet build Reconciler.Host -c Release -nologo -v quiet
fi
mkdir -p demo-output
echo "demo: starting the daemon on config/hocon/demo.conf; edit config/demo/keys.yaml and watch demo-output/haproxy.cfg" >&2
# exec, not dotnet run (which kept running on a kill -INT of this script): the daemon takes this script's pid,
# so Ctrl-C and kill -INT <pid> reach it directly, and it stops as on SIGTERM.
exec "$executable" --config config/hocon/demo.conf "$@"
