#!/usr/bin/env bash
# Makes a complete installation in OUT: builds the release (scripts/build.mjs), copies only what runs
# (the compiled server, the built UI, the package manifests and lockfile, the notices), then installs
# the runtime dependencies there with `npm ci --omit=dev`. The release test and the Dockerfile both run
# this script, so the image is built the way the tests prove it works.
#
#   bash scripts/build-release.sh OUT
set -euo pipefail
if [ $# -ne 1 ]; then echo "usage: $0 OUT" >&2; exit 2; fi
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$1"
cd "$root"
node scripts/build.mjs
rm -rf "$out"
mkdir -p "$out/bin" "$out/packages/core" "$out/packages/server" "$out/packages/web"
cp package.json package-lock.json LICENSE THIRD-PARTY-NOTICES.md "$out/"
cp bin/inkan.mjs bin/verify-script.mjs "$out/bin/"
for pkg in core server web; do cp "packages/$pkg/package.json" "$out/packages/$pkg/"; done
cp -R packages/server/dist "$out/packages/server/dist"
cp -R packages/web/dist "$out/packages/web/dist"
cd "$out"
# Native modules (better-sqlite3, argon2, pkcs11js) are compiled when no prebuilt binary can be fetched
# (a closed network): against the headers of the Node that runs this script when it has them next to
# it, not a `nodedir` configured for another Node version (a module built for Node 20 does not load
# on Node 22).
node_prefix="$(node -p 'require("node:path").resolve(process.execPath, "..", "..")')"
if [ -f "$node_prefix/include/node/node_version.h" ]; then export npm_config_nodedir="$node_prefix"; fi
npm ci --omit=dev --no-audit --no-fund
