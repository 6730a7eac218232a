#!/usr/bin/env bash
# Prints config/hocon/demo.conf as the package ships it in /usr/share/doc/reconciler/examples: every file it names
# in that same folder (keys.yaml and haproxy.cfg.sbn are shipped next to it), so `reconciler check` passes there
# and a copy of the folder runs anywhere: cp -r /usr/share/doc/reconciler/examples ~/demo && reconciler --config ~/demo/demo.conf
set -euo pipefail
cd "$(dirname "$0")/.."
packaged="$(sed \
  -e '1,2c\# Demo without etcd, as packaged: every file it names is in its own folder. Copy the folder somewhere\n# writable first (cp -r /usr/share/doc/reconciler/examples ~/demo), then: reconciler --config ~/demo/demo.conf' \
  -e 's|"\.\./demo/keys\.yaml"|"keys.yaml"|' \
  -e 's|"\.\./templates/haproxy\.cfg\.sbn"|"haproxy.cfg.sbn"|' \
  -e 's|"\.\./\.\./demo-output/haproxy\.cfg"|"haproxy.cfg"|' \
  -e 's|"\.\./\.\./demo-output/state"|"state"|' \
  config/hocon/demo.conf)"
# a path the rewrite missed would point outside the folder: fail the package rather than ship a demo that fails check
if grep -q '"\.\./' <<<"$packaged"; then
  echo "packaged-demo-conf.sh: config/hocon/demo.conf names a path this script does not rewrite:" >&2
  grep -n '"\.\./' <<<"$packaged" >&2
  exit 1
fi
printf '%s\n' "$packaged"
