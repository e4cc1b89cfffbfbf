#!/usr/bin/env bash
# Builds node_modules/mediasoup's C++ worker offline against Debian bookworm packages.
# npm here neither runs mediasoup's postinstall nor could it download the worker's deps, so this
# script does that job: shim subprojects that wrap system libraries, a libsrtp 2.5 compat header,
# and a DTLS fix for Debian's kTLS-enabled OpenSSL. Idempotent: a version stamp skips rebuilds.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
here="$root/server/setup"
ms="$root/node_modules/mediasoup"
worker="$ms/worker"
out="$worker/out/Release"
bin="$out/mediasoup-worker"
stamp="$out/.onair-build-stamp"

[ -d "$worker" ] || { echo "build-mediasoup-worker: $worker missing; run npm ci first" >&2; exit 1; }
version="$(node -p "require('$ms/package.json').version")"
# The stamp covers the mediasoup version and this build recipe, so either changing rebuilds.
recipe="$(cat "$0" "$here"/mediasoup-shims/*/meson.build "$here"/mediasoup-shims/libsrtp2/include/srtp.h | sha256sum | cut -c1-16)"
want="$version-$recipe"
if [ -x "$bin" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  echo "mediasoup-worker $version already built"
  exit 0
fi
echo "building mediasoup-worker $version (takes 5-8 minutes on 2 cores)..."

# 1. One shim directory per .wrap, named after its `directory =` line, so that meson with
#    --wrap-mode=nodownload finds it and never tries to fetch.
for wrap in "$worker"/subprojects/*.wrap; do
  name="$(basename "$wrap" .wrap)"
  [ "$name" = wingetopt ] && continue # Windows only
  dir="$(sed -n 's/^directory *= *//p' "$wrap" | head -1)"
  shim="$here/mediasoup-shims/${name%-cpp}"
  [ "$name" = abseil-cpp ] && shim="$here/mediasoup-shims/abseil-cpp"
  [ -d "$shim" ] || { echo "no shim for subproject $name" >&2; exit 1; }
  rm -rf "$worker/subprojects/$dir"
  cp -r "$shim" "$worker/subprojects/$dir"
done

# 2. Debian bookworm has meson 1.0.1; nothing the worker uses needs 1.1.
sed -i "s/meson_version: '>= 1.1.0'/meson_version: '>= 1.0.0'/" "$worker/meson.build"

# 3. DTLS crash fix: with kTLS-enabled OpenSSL, treating only exact BIO_CB_RETURN as a return
#    callback makes BIO_get_ktls_send() read true and OpenSSL skips the DTLS write buffer
#    (segfault on the first ServerHello). The flag must be tested as a bit.
dtls="$worker/src/RTC/DtlsTransport.cpp"
sed -i 's/(operationType == BIO_CB_RETURN)/(operationType \& BIO_CB_RETURN)/' "$dtls"
grep -q '(operationType & BIO_CB_RETURN)' "$dtls" || { echo "DTLS BIO patch did not apply to $dtls" >&2; exit 1; }

build="$worker/out/onair-build"
rm -rf "$build"
meson setup --wrap-mode=nodownload --buildtype release -Db_ndebug=true \
  -Dms_disable_liburing=true "$build" "$worker"
# flatbuffers headers must exist before the worker sources compile (meson misses that ordering).
meson compile -C "$build" flatbuffers-generator
meson compile -C "$build" -j "$(nproc)" mediasoup-worker

mkdir -p "$out"
cp "$build/mediasoup-worker" "$bin"
echo "$want" > "$stamp"
rm -rf "$build"
echo "mediasoup-worker $version built: $bin"
