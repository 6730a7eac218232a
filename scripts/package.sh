#!/usr/bin/env bash
# Builds dist/reconciler_<version>_amd64.deb: the native executable of scripts/publish.sh (no .NET needed on the
# target) as /usr/bin/reconciler, the systemd unit, the scenario's configuration and HAProxy template as conffiles,
# and the documentation (README.md, docs/) and examples under /usr/share/doc.
# Needs the .NET SDK, clang, zlib1g-dev and dpkg-deb; the AOT compiler comes from the NuGet registry.
# Usage: scripts/package.sh [--out DIR] [--executable FILE]   (default dist/; prints the package's path last)
#   --executable: package this native executable (one scripts/publish.sh made) instead of publishing one
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"

out="$repo/dist"
executable=""
while (($#)); do
  case "$1" in
    --out) out="$(realpath -m "$2")"; shift 2 ;;
    --executable) executable="$(realpath -m "$2")"; shift 2 ;;
    *) echo "package.sh: unknown argument $1 (use --out DIR, --executable FILE)" >&2; exit 2 ;;
  esac
done

upstream="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props)"
version="$upstream-1"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
root="$work/root"
doc="$root/usr/share/doc/reconciler"
umask 022

# The package's publish (one native executable), in its own artifacts folder so a package build never touches the
# bin/obj a test run is using.
if [[ -n "$executable" ]]; then
  mkdir -p "$work/published"
  cp "$executable" "$work/published/reconciler"
else
  scripts/publish.sh "$work/published" --artifacts "$work/build"
fi
published=("$work/published"/*)
[[ ${#published[@]} -eq 1 && "${published[0]}" == "$work/published/reconciler" ]] \
  || { echo "package.sh: the publish holds more than the executable: ${published[*]}" >&2; exit 1; }

mkdir -p "$root/usr/bin" "$root/lib/systemd/system" "$root/etc/reconciler/templates" "$doc/examples" \
  "$root/usr/share/man/man1" "$root/usr/share/lintian/overrides" "$root/DEBIAN"
cp "$work/published/reconciler" "$root/usr/bin/reconciler"

sed 's:^ExecStart=/usr/local/bin/reconciler :ExecStart=/usr/bin/reconciler :;
     s:^# Reconciler as a systemd service\. Install\: see docs/install\.md.*:# Reconciler as a systemd service, from the reconciler package (/usr/share/doc/reconciler/docs/install.md).:' \
  config/systemd/reconciler.service > "$root/lib/systemd/system/reconciler.service"
grep -q '^ExecStart=/usr/bin/reconciler ' "$root/lib/systemd/system/reconciler.service" \
  || { echo "package.sh: config/systemd/reconciler.service has no ExecStart=/usr/local/bin/reconciler to adapt" >&2; exit 1; }

# The scenario's configuration, its template next to it in /etc/reconciler/templates,
sed 's:"\.\./templates/:"templates/:' \
  config/hocon/haproxy.conf > "$root/etc/reconciler/reconciler.conf"
# and the optional routes map, deny list and site certificate templates it names in comments
cp config/templates/haproxy.cfg.sbn config/templates/hosts.map.sbn config/templates/deny.acl.sbn config/templates/site.pem.sbn "$root/etc/reconciler/templates/"

cp packaging/deb/copyright "$doc/"
sed "s/@VERSION@/$version/; s/@DATE@/$(date -R -d "@$(git log -1 --format=%ct 2>/dev/null || date +%s)")/" \
  packaging/deb/changelog | gzip -9n > "$doc/changelog.Debian.gz"
# the README and the docs/ pages as they are in the repository: uncompressed, so their relative links still work
cp README.md "$doc/"
cp -r docs "$doc/docs"
gzip -9n < packaging/deb/reconciler.1 > "$root/usr/share/man/man1/reconciler.1.gz"
cp packaging/deb/lintian-overrides "$root/usr/share/lintian/overrides/reconciler"
# the demo as a folder of its own: demo.conf names keys.yaml and haproxy.cfg.sbn next to it
scripts/packaged-demo-conf.sh > "$doc/examples/demo.conf"
cp config/hocon/reference.conf config/hocon/haproxy.conf config/demo/keys.yaml config/templates/haproxy.cfg.sbn \
  config/systemd/stupid-server@.service config/systemd/stupid-server-register@.service "$doc/examples/"

# Debian's modes: only the executable is
find "$root" -type d -exec chmod 0755 {} +
find "$root" -type f -exec chmod 0644 {} +
chmod 0755 "$root/usr/bin/reconciler"
# The configuration may hold the etcd password (backend.password): readable by root only
chmod 0640 "$root/etc/reconciler/reconciler.conf"

cp packaging/deb/conffiles "$root/DEBIAN/"
install -m 0755 packaging/deb/postinst packaging/deb/prerm packaging/deb/postrm "$root/DEBIAN/"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) > "$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/md5sums"
installed_size="$(du -sk --exclude=DEBIAN "$root" | cut -f1)"
sed "s/@VERSION@/$version/; s/@INSTALLED_SIZE@/$installed_size/" packaging/deb/control.in > "$root/DEBIAN/control"

mkdir -p "$out"
package="$out/reconciler_${version}_amd64.deb"
# gzip: xz took three minutes here for 25% fewer bytes, and lintian refuses zstd members
dpkg-deb --root-owner-group -Zgzip --build "$root" "$package" >&2
echo "$package"
