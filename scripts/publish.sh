#!/usr/bin/env bash
# Publishes reconciler as the package ships it: self-contained (no .NET on the target), ReadyToRun (start-up), and
# trimmed (TrimMode=partial: only assemblies that declare themselves trimmable are trimmed; Akka.NET, which finds types
# by name in its configuration, is kept whole). The choices are measured in bench/results.md ("Footprint").
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

# Our own code's trim warnings are errors at build time (the trim analyzer, warnings as errors); the linker's own
# report covers the assemblies kept whole (Akka.NET, YamlDotNet, ASP.NET Core's MVC), which no change here can fix.
dotnet publish Reconciler.Host/Reconciler.Host.csproj -c Release -r linux-x64 --self-contained \
  --artifacts-path "$artifacts" -o "$out" --nologo -v quiet \
  -p:PublishReadyToRun=true -p:PublishTrimmed=true -p:TrimMode=partial \
  -p:ILLinkTreatWarningsAsErrors=false -p:SuppressTrimAnalysisWarnings=true \
  -p:SatelliteResourceLanguages=en -p:DebugType=none -p:GenerateDocumentationFile=false >&2
