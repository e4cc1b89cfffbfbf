#!/usr/bin/env bash
# One set-up for every entry point (npm start, npm test, CI, Dockerfile): Debian packages, npm ci,
# the mediasoup worker and headless-WebGL builds. Idempotent and quick when nothing changed.
#   setup.sh          what the server needs
#   setup.sh --test   plus what the tests need (redis-server, nginx RTMP module, Chromium)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"

packages=(ffmpeg fonts-wqy-microhei g++ pkg-config meson ninja-build libuv1-dev libssl-dev libsrtp2-dev libusrsctp-dev libabsl-dev libflatbuffers-dev flatbuffers-compiler
  make xvfb libgl1-mesa-dri libglx-mesa0 libx11-dev libxi-dev libxext-dev python3)
if [ "${1:-}" = "--test" ]; then
  packages+=(redis-server nginx libnginx-mod-rtmp chromium tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-eng)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The packaged nginx starts a system service on port 80; the tests run their own instances.
  if [[ " ${missing[*]} " == *" nginx "* ]]; then $sudo systemctl disable --now nginx >/dev/null 2>&1 || $sudo service nginx stop >/dev/null 2>&1 || true; fi
fi

# npm ci only when the lockfile changed since the last install (.npmrc sets ignore-scripts: the
# one install script that matters, mediasoup's worker build, is done below by our own script).
lock_hash="$(sha256sum package-lock.json | cut -c1-16)"
if [ "$(cat node_modules/.onair-lock 2>/dev/null)" != "$lock_hash" ]; then
  npm ci --no-audit --no-fund
  echo "$lock_hash" > node_modules/.onair-lock
fi

bash server/setup/build-mediasoup-worker.sh
bash server/setup/build-gl.sh
if [ "${1:-}" = "--test" ]; then bash server/setup/fetch-test-media.sh; fi
