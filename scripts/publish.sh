#!/usr/bin/env bash
# Publishes reconciler as the package ships it: one native executable (Native AOT), no .NET needed on the target.
# Every trim and AOT warning fails it (Reconciler.Host.csproj). Needs clang and zlib1g-dev (scripts/install-deps.sh);
# the ILCompiler package comes from NuGet by itself. About two minutes on two cores.
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

# No debug symbols: the executable alone is the product (no .dbg or .pdb next to it)
dotnet publish Reconciler.Host/Reconciler.Host.csproj -c Release -r linux-x64 -p:PublishAot=true \
  --artifacts-path "$artifacts" -o "$out" --nologo -v quiet \
  -p:SatelliteResourceLanguages=en -p:DebugType=none -p:DebugSymbols=false -p:StripSymbols=true \
  -p:GenerateDocumentationFile=false >&2
