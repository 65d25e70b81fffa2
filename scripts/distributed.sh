#!/usr/bin/env bash
# The distributed batch on the real parts (docs/distributed.md): Debian's redis-server (started by
# the tests on a free loopback port, stopped after) and python3-zarr (reads the arrays back), both
# installed here when missing; then test/distributed/*.redistest.ts. BullMQ comes with npm ci
# (a dev dependency; an optional peer of the package).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v redis-server >/dev/null || ! /usr/bin/python3 -c 'import zarr' 2>/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q redis-server python3-zarr || { apt-get update -q && apt-get install -y -q redis-server python3-zarr; }
fi
# the Debian package starts a system Redis on 6379; the tests start their own and need none
npx vitest run --config test/distributed/vitest.config.mts
