#!/usr/bin/env bash
# Builds node_modules/gl (headless WebGL 1 over ANGLE, what the 3D presenters render with) from
# source. npm here runs no install scripts and gl's would download a prebuilt binary; node-gyp
# against Debian's Node headers works offline (~2 minutes on 2 cores). Idempotent: a stamp skips it.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
gl="$root/node_modules/gl"
[ -d "$gl" ] || { echo "build-gl: $gl missing; run npm ci first" >&2; exit 1; }
version="$(node -p "require('$gl/package.json').version")"
stamp="$gl/build/.onair-build-stamp"
want="$version-$(node -p process.versions.modules)"
if [ -f "$gl/build/Release/webgl.node" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  echo "gl $version already built"
  exit 0
fi
echo "building gl $version (headless WebGL, about 2 minutes on 2 cores)..."
# The headers of the Node that runs us (Debian: /usr, the node images: /usr/local), so nothing is downloaded.
nodedir="${npm_config_nodedir:-}"
prefix="$(node -p 'require("path").resolve(process.execPath, "../..")')"
if [ -z "$nodedir" ] && [ -f "$prefix/include/node/node.h" ]; then nodedir="$prefix"; fi
if [ -z "$nodedir" ] && [ -f /usr/include/node/node.h ]; then nodedir=/usr; fi
cd "$gl"
npm_config_nodedir="$nodedir" node "$root/node_modules/node-gyp/bin/node-gyp.js" rebuild -j "$(nproc)" >"$root/node_modules/.gl-build.log" 2>&1 || {
  tail -30 "$root/node_modules/.gl-build.log" >&2
  echo "build-gl: failed (full log: node_modules/.gl-build.log)" >&2
  exit 1
}
echo "$want" > "$stamp"
echo "gl $version built"
