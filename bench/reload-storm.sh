#!/usr/bin/env bash
# The reload storm of issue 25: one key toggled about once a second makes every change a reload; each reload leaves
# an old HAProxy worker alive until its in-flight requests end. Runs a real HAProxy master-worker behind the built
# reconciler (Release, etcd backend, debounce quiet = 200ms) for each commands.min-reload-interval given, with
# clients keeping requests in flight to a backend that answers after 8 s, and prints per interval: reloads, the
# most old workers alive at once, and the key changes still missing from the file when the toggling stopped.
# Usage: bench/reload-storm.sh [interval...]   (default: 0s 2s 5s)
set -euo pipefail
cd "$(dirname "$0")/.."
intervals=("$@")
((${#intervals[@]})) || intervals=(0s 2s 5s)
reconciler=Reconciler.Host/bin/Release/net10.0/reconciler
[[ -x $reconciler ]] || { echo "build first: dotnet build Reconciler.sln -c Release" >&2; exit 1; }
work=$(mktemp -d /tmp/reload-storm-XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [[ -f $work/haproxy.pid ]] && kill "$(cat "$work/haproxy.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
client=$((20000 + RANDOM % 5000)); peer=$((client + 1)); front=$((client + 2)); slow=$((client + 3))
etcd --name storm --data-dir "$work/etcd" --listen-client-urls "http://127.0.0.1:$client" \
  --advertise-client-urls "http://127.0.0.1:$client" --listen-peer-urls "http://127.0.0.1:$peer" \
  --initial-advertise-peer-urls "http://127.0.0.1:$peer" --initial-cluster "storm=http://127.0.0.1:$peer" \
  >"$work/etcd.log" 2>&1 & pids+=($!)
export ETCDCTL_ENDPOINTS=http://127.0.0.1:$client
until etcdctl endpoint health >/dev/null 2>&1; do sleep 0.2; done
# a backend whose every answer takes 8 s: what keeps an old worker alive after a reload
python3 -c '
import http.server, time, sys
class Slow(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        time.sleep(8); self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers(); self.wfile.write(b"ok")
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Slow).serve_forever()' "$slow" 2>/dev/null & pids+=($!)
cat >"$work/haproxy.cfg.sbn" <<TEMPLATE
global
    stats socket $work/admin.sock mode 600 level admin
defaults
    mode http
    timeout connect 5s
    timeout client 50s
    timeout server 50s
frontend site
    bind 127.0.0.1:$front
    default_backend app
backend app
    server slow 127.0.0.1:$slow
{{~ if exists "/bench/toggle" ~}}
    http-response set-header X-Toggle on
{{~ end ~}}
TEMPLATE
printf '%-22s %8s %18s %22s\n' min-reload-interval reloads "old workers (max)" "changes pending at end"
for interval in "${intervals[@]}"; do
  etcdctl del /bench/toggle >/dev/null
  rm -f "$work/haproxy.cfg" "$work/reloads" "$work/haproxy.pid"
  cat >"$work/reconciler.conf" <<CONF
reconciler {
  backend { type = etcd, endpoints = ["http://127.0.0.1:$client"] }
  debounce { quiet = 200ms, max = 2s }
  commands.min-reload-interval = $interval
  templates = [{
    name = storm
    src = "$work/haproxy.cfg.sbn"
    dest = "$work/haproxy.cfg"
    keys = ["/bench"]
    check-cmd = "haproxy -c -q -f {{src}}"
    reload-cmd = "echo >> $work/reloads; kill -USR2 \$(cat $work/haproxy.pid)"
  }]
}
CONF
  "$reconciler" --config "$work/reconciler.conf" >"$work/reconciler-$interval.log" 2>&1 & daemon=$!
  until [[ -s $work/haproxy.cfg ]]; do sleep 0.1; done
  haproxy -W -D -p "$work/haproxy.pid" -f "$work/haproxy.cfg" 2>/dev/null
  until [[ -s $work/haproxy.pid ]]; do sleep 0.1; done
  master=$(head -1 "$work/haproxy.pid")
  rm -f "$work/reloads"
  loaders=()
  # staggered a second apart, so that requests start every second, as steady traffic does
  for _ in 1 2 3 4 5 6 7 8; do
    (while true; do curl -s -o /dev/null -m 20 "http://127.0.0.1:$front/" || true; done) & loaders+=($!)
    sleep 1
  done
  most=0
  for toggle in $(seq 1 24); do
    if ((toggle % 2)); then etcdctl put /bench/toggle on >/dev/null; else etcdctl del /bench/toggle >/dev/null; fi
    for _ in 1 2 3 4; do
      workers=$(pgrep -c -P "$master" || true)
      ((workers - 1 > most)) && most=$((workers - 1))
      sleep 0.25
    done
  done
  # the last toggle (a delete) is in the file once no X-Toggle line is left
  pending=0; grep -q X-Toggle "$work/haproxy.cfg" && pending=1
  reloads=$(wc -l <"$work/reloads" 2>/dev/null || echo 0)
  printf '%-22s %8s %18s %22s\n' "$interval" "$reloads" "$most" "$pending"
  kill "${loaders[@]}" 2>/dev/null || true
  wait "${loaders[@]}" 2>/dev/null || true
  kill "$daemon"; wait "$daemon" 2>/dev/null || true
  kill "$master" 2>/dev/null || true
  while kill -0 "$master" 2>/dev/null; do sleep 0.1; done
done
