#!/usr/bin/env bash
# Simulation campaigns (docs/dev/testing.md): seeded schedules of writes and faults through the whole pipeline under
# virtual time, every invariant checked after every step.
#   scripts/simulate.sh --seeds N      N random schedules (CI runs a fixed budget of 25)
#   scripts/simulate.sh --seed S       the one schedule of seed S again, exactly as printed by a failure
#   scripts/simulate.sh --repeat N     the replay seed N times, each trace compared with the first (repeatability)
# A failure prints its seed and the schedule shrunk by CsCheck, then the trace of the failing run.
set -euo pipefail
cd "$(dirname "$0")/.."
filter="FullyQualifiedName~Reconciler.Tests.Simulation.SimulationTests.Every_invariant_holds_for_every_schedule"
while (($# > 0)); do
  case "$1" in
    --seeds) export SIMULATION_SEEDS="$2"; shift 2 ;;
    --seed) export SIMULATION_SEED="$2"; shift 2 ;;
    --repeat)
      export SIMULATION_REPEAT="$2"; shift 2
      filter="FullyQualifiedName~Reconciler.Tests.Simulation.SimulationTests.The_same_seed_gives_the_same_trace" ;;
    *) echo "usage: $0 [--seeds N | --seed S | --repeat N]" >&2; exit 2 ;;
  esac
done
dotnet build Reconciler.Tests -c Release 2>&1 | grep -E "error|Elapsed" || true
dotnet test Reconciler.Tests -c Release --no-build --filter "$filter" --logger "console;verbosity=detailed" 2>&1 \
  | grep -vE '^\s*\[(INFO|DEBUG)\]'
