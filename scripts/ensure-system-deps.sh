#!/usr/bin/env bash
# Installs the Debian packages that the tests need, only when one is missing.
# Run by `npm test` (pretest); safe to run many times.
set -euo pipefail
need=()
command -v pdfsig    >/dev/null 2>&1 || need+=(poppler-utils)
command -v mutool    >/dev/null 2>&1 || need+=(mupdf-tools)
command -v qpdf      >/dev/null 2>&1 || need+=(qpdf)
command -v softhsm2-util >/dev/null 2>&1 || need+=(softhsm2)
command -v certutil  >/dev/null 2>&1 || need+=(libnss3-tools)
command -v openssl   >/dev/null 2>&1 || need+=(openssl)
command -v chromium  >/dev/null 2>&1 || need+=(chromium)
# The reverse proxy of the proxy test (started by the test itself on loopback, never as a service).
command -v nginx     >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
# A real DNS server for the domain-claim verification test (started by the test on loopback; -base: no service).
[ -x /usr/sbin/dnsmasq ] || need+=(dnsmasq-base)
# Japanese glyphs for the browser (UI screenshots, end-to-end test); without them text renders as boxes.
fc-list :lang=ja 2>/dev/null | grep -q . || need+=(fonts-noto-cjk)
[ -e /usr/lib/softhsm/libsofthsm2.so ] || need+=(softhsm2)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
echo "ensure-system-deps: installing ${need[*]}" >&2
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
