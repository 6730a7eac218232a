#!/usr/bin/env bash
# Publishes reconciler as the package ships it: self-contained (no .NET on the target) and ReadyToRun (start-up).
# Not trimmed: trimming saved 4 MB of one daemon's RSS but cost 40 ms of --onetime and 3.5 MB of PSS per daemon when
# many run on one host (bench/results.md, "Footprint, second round").
# Usage: scripts/publish.sh OUT [--artifacts DIR]   (its own artifacts folder, so a test run's bin/obj are not touched)
set -euo pipefail
cd "$(dirname "$0")/.."
(($#)) || { echo "usage: scripts/publish.sh OUT [--artifacts DIR]" >&2; exit 2; }
out="$(realpath -m "$1")"; shift
artifacts=""
while (($#)); do
  case "$1" in
    --artifacts) artifacts="$(realpath -m "$2")"; shift 2 ;;
    *) echo "publish.sh: unknown argument $1 (use --artifacts DIR)" >&2; exit 2 ;;
  esac
done
cleanup=""
if [[ -z "$artifacts" ]]; then
  artifacts="$(mktemp -d)"
  cleanup="$artifacts"
fi
trap '[[ -z "$cleanup" ]] || rm -rf "$cleanup"' EXIT

dotnet publish Reconciler.Host/Reconciler.Host.csproj -c Release -r linux-x64 --self-contained \
  --artifacts-path "$artifacts" -o "$out" --nologo -v quiet \
  -p:PublishReadyToRun=true -p:SatelliteResourceLanguages=en -p:DebugType=none -p:GenerateDocumentationFile=false >&2
