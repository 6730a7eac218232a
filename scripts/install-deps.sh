#!/usr/bin/env bash
# Installs what the tests and the demo need on a fresh Debian 12 machine: etcd, HAProxy, dnsmasq (a DNS
# server the lookupSRV tests run on loopback; dnsmasq-base starts no service) and openssl (the shipped
# certificate template's check, and the TLS client of the certificate scenario), acl (setfacl: the dest-folder
# check's tests grant write through a POSIX ACL); clang and zlib1g-dev for the native executable's publish
# (scripts/publish.sh, which the tests and the package run).
set -euo pipefail
missing=()
command -v etcd >/dev/null || missing+=(etcd-server)
command -v etcdctl >/dev/null || missing+=(etcd-client)
command -v haproxy >/dev/null || missing+=(haproxy)
[[ -x /usr/sbin/dnsmasq ]] || missing+=(dnsmasq-base)
command -v openssl >/dev/null || missing+=(openssl)
command -v setfacl >/dev/null || missing+=(acl)
command -v clang >/dev/null || missing+=(clang)
[[ -e /usr/include/zlib.h ]] || missing+=(zlib1g-dev)
if ((${#missing[@]})); then
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# The Debian packages start their own services where systemd runs; tests start their own on free ports.
