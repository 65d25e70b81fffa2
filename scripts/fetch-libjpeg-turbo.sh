#!/usr/bin/env bash
# Fetches the libjpeg-turbo source that imarray's native JPEG decoder is built from: Debian
# bookworm's source package 1:2.1.5-2 (upstream 2.1.5 + Debian's 4 patches), pinned by SHA-256,
# into .cache/libjpeg-turbo/. scripts/build-native.mjs then builds it (cmake; nasm on x86-64)
# as a static, position-independent library and links it into build/native/<target>/imarray.node.
# Needs root for apt (it adds a deb-src entry for the configured Debian mirror); .ci/run calls it.
# Without it, imarray decodes JPEG through sharp (the 'sharp' back-end), which is as exact.
set -euo pipefail
cd "$(dirname "$0")/.."
DEST=.cache/libjpeg-turbo
VERSION=1:2.1.5-2
declare -A SHA256=(
  [libjpeg-turbo_2.1.5.orig.tar.gz]=254f3642b04e309fee775123133c6464181addc150499561020312ec61c1bf7c
  [libjpeg-turbo_2.1.5-2.debian.tar.xz]=cdb2433c2f7101345c1ffa14efb943787c675b86354691a32490845fe4bc9237
)
verified() {
  for f in "${!SHA256[@]}"; do
    [[ -f "$DEST/$f" ]] && echo "${SHA256[$f]}  $DEST/$f" | sha256sum -c --quiet - 2>/dev/null || return 1
  done
}
if verified; then echo "libjpeg-turbo source: $DEST (verified)"; exit 0; fi
mkdir -p "$DEST"
if ! compgen -G "/etc/apt/sources.list.d/*src*" >/dev/null && ! grep -qs '^deb-src' /etc/apt/sources.list; then
  # a deb-src twin of each configured Debian source (deb822 files)
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -e "$f" ]] || continue
    sed 's/^Types: deb$/Types: deb-src/' "$f" > "${f%.sources}-src.sources"
  done
  apt-get update -q
fi
(cd "$DEST" && apt-get source -q --download-only "libjpeg-turbo=$VERSION")
verified || { echo "libjpeg-turbo source: checksum mismatch in $DEST" >&2; exit 1; }
echo "libjpeg-turbo source: $DEST (fetched, verified)"
