#!/usr/bin/env bash
# Issue 29's "an apply's latency is not changed by publishing": the built reconciler (Release, etcd backend, debounce
# quiet = 0ms, min-reload-interval = 0s, reload-cmd = true) applies N key changes one after another, with
# reconciler.fleet off and then on.
# Prints per mode the apply's own time as the journal records it (totalMs: render, write, reload) and the time from
# etcdctl put returning to the new value being in the file, as median, p90 and max in ms.
# Usage: bench/fleet-latency.sh [changes]   (default: 60)
set -euo pipefail
cd "$(dirname "$0")/.."
changes=${1:-60}
reconciler=Reconciler.Host/bin/Release/net10.0/reconciler
[[ -x $reconciler ]] || { echo "build first: dotnet build Reconciler.sln -c Release" >&2; exit 1; }
work=$(mktemp -d /tmp/fleet-latency-XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
client=$((20000 + RANDOM % 5000)); peer=$((client + 1))
etcd --name fleet --data-dir "$work/etcd" --listen-client-urls "http://127.0.0.1:$client" \
  --advertise-client-urls "http://127.0.0.1:$client" --listen-peer-urls "http://127.0.0.1:$peer" \
  --initial-advertise-peer-urls "http://127.0.0.1:$peer" --initial-cluster "fleet=http://127.0.0.1:$peer" \
  >"$work/etcd.log" 2>&1 & pids+=($!)
export ETCDCTL_ENDPOINTS=http://127.0.0.1:$client
until etcdctl endpoint health >/dev/null 2>&1; do sleep 0.2; done

stats() { sort -n | awk '{ v[NR] = $1 } END { printf "median %d, p90 %d, max %d", v[int((NR + 1) / 2)], v[int(NR * 0.9 + 0.5)], v[NR] }'; }

for mode in false true; do
  run=$work/$mode
  mkdir -p "$run/state"
  printf '{{ for v in getvs "/bench/apps/*" }}{{ v }};{{ end }}\n' >"$run/t.sbn"
  cat >"$run/reconciler.conf" <<CONF
reconciler.backend.endpoints = ["http://127.0.0.1:$client"]
reconciler.debounce { quiet = 0ms, max = 1s }
reconciler.commands.min-reload-interval = 0s
reconciler.state-dir = state
reconciler.fleet { enabled = $mode, node = bench, prefix = "/bench/fleet", ttl = 15s }
reconciler.templates = [{ name = t, src = t.sbn, dest = out.txt, keys = ["/bench/apps"], reload-cmd = "true" }]
CONF
  etcdctl del --prefix /bench/ >/dev/null
  etcdctl put /bench/apps/a start >/dev/null
  "$reconciler" --config "$run/reconciler.conf" >"$run/log" 2>&1 & daemon=$!; pids+=($daemon)
  until grep -q 'start;' "$run/out.txt" 2>/dev/null; do sleep 0.05; done
  : >"$run/e2e"
  for i in $(seq 1 "$changes"); do
    etcdctl put /bench/apps/a "value-$i" >/dev/null
    start=$(date +%s%N)
    until grep -q "value-$i;" "$run/out.txt"; do sleep 0.002; done
    echo $((($(date +%s%N) - start) / 1000000)) >>"$run/e2e"
    sleep 0.2
  done
  sleep 1
  applies=$("$reconciler" history --config "$run/reconciler.conf" --json --limit "$changes" | grep -o '"totalMs":[0-9]*' | cut -d: -f2 | stats)
  records=$(etcdctl get --prefix /bench/fleet/ --keys-only | grep -c . || true)
  echo "fleet.enabled = $mode: apply (journal totalMs) $applies; put to file $(stats <"$run/e2e"); fleet records in etcd: $records"
  kill "$daemon"; wait "$daemon" 2>/dev/null || true
done
