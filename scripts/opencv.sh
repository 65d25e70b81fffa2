#!/usr/bin/env bash
# The OpenCV interop check (docs/interop.md "OpenCV"): toMat/fromMat against the real @u4/opencv4nodejs,
# built against Debian's OpenCV in test/opencv/ (its own package and lock, out of imarray's
# dependency tree), then test/opencv/*.cvtest.ts. The build takes ~5 minutes on 2 cores, once.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -d /usr/include/opencv4 ]]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q libopencv-dev || { apt-get update -q && apt-get install -y -q libopencv-dev; }
fi
# without this, opencv4nodejs tries to git-clone and build OpenCV itself
export OPENCV4NODEJS_DISABLE_AUTOBUILD=1 JOBS="${JOBS:-2}"
if [[ ! -f test/opencv/node_modules/@u4/opencv4nodejs/build/Release/opencv4nodejs.node ]]; then
  (cd test/opencv && npm ci --no-audit --no-fund)
fi
npx vitest run --config test/opencv/vitest.config.mts
