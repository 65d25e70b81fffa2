#!/usr/bin/env bash
# Fetches the C libraries imarray's native decoders are built from, as Debian bookworm's source
# packages (the upstream tarball + Debian's patches), pinned by SHA-256, into .cache/<name>/:
#   libjpeg-turbo 1:2.1.5-2      -> the 'native' JPEG decoder (src/codecs/jpeg/turbo.c)
#   openjpeg2 2.5.0-2+deb12u3    -> the 'native' JPEG 2000 decoder (src/codecs/jpeg2000/openjpeg.c)
#   dav1d 1.0.0-2+deb12u1 and libyuv 0.0~git20230123.b2528b0-1
#                                -> the 'native' AVIF decoder (src/codecs/avif/dav1d.c)
#   xz-utils 5.4.1-1+deb12u1     -> liblzma, for LZMA-compressed TIFF (src/codecs/tiff/lzma.c)
#   libdeflate 1.14-1            -> Deflate-compressed TIFF strips (src/codecs/tiff/deflate.c)
# scripts/build-native.mjs then builds each (cmake, or meson for dav1d; nasm on x86-64) as a static,
# position-independent library and links it into build/native/<target>/imarray.node.
# Needs root for apt (it adds a deb-src entry for the configured Debian mirror); .ci/run calls it.
# libjpeg-turbo is required (exit 1 without it). The others are not: a security update can replace
# a pinned revision on the mirror; then this says so and that format decodes through its
# WebAssembly back-end ('js') until the pin is moved.
# Without these, imarray decodes JPEG through sharp (as exact), JPEG 2000 and AVIF in WebAssembly,
# LZMA-compressed TIFF raises UnsupportedError and Deflate TIFF strips inflate through node:zlib.
set -euo pipefail
cd "$(dirname "$0")/.."

# name, Debian source package=version, then file=sha256 pairs
LIBJPEG=(libjpeg-turbo "libjpeg-turbo=1:2.1.5-2"
  libjpeg-turbo_2.1.5.orig.tar.gz=254f3642b04e309fee775123133c6464181addc150499561020312ec61c1bf7c
  libjpeg-turbo_2.1.5-2.debian.tar.xz=cdb2433c2f7101345c1ffa14efb943787c675b86354691a32490845fe4bc9237)
OPENJPEG=(openjpeg "openjpeg2=2.5.0-2+deb12u3"
  openjpeg2_2.5.0.orig.tar.xz=007e19d772c8b6b22e35379630b06ff3549e49ba719d96453607a36ad7b4de73
  openjpeg2_2.5.0-2+deb12u3.debian.tar.xz=36dedb0ca4c1659c173feac97c19b31985656f4cd112b1a4d54d54bc4133ad37)
DAV1D=(dav1d "dav1d=1.0.0-2+deb12u1"
  dav1d_1.0.0.orig.tar.xz=51737db7e4897e599684f873a4725176dd3c779e639411d7c4fce134bb5ebb82
  dav1d_1.0.0-2+deb12u1.debian.tar.xz=ae53e2bda2a18275cc66570194fced9b9681df2b3b8e041586a26a59d69a727e)
LIBYUV=(libyuv "libyuv=0.0~git20230123.b2528b0-1"
  libyuv_0.0~git20230123.b2528b0.orig.tar.gz=cc22ebe94004ac2e5718acdc45980c6f3b83599f19f5bd768c5ca034de659eef
  libyuv_0.0~git20230123.b2528b0-1.debian.tar.xz=76e01b2226288d3d4533f5c5dbdc2efd385ce2f19e52c40293492603fe7fdf16)
XZ=(xz "xz-utils=5.4.1-1+deb12u1"
  xz-utils_5.4.1.orig.tar.xz=5d9827aa1875b21c288f78864bb26d2650b436ea8d2cad364e4921eb6266a5a5
  xz-utils_5.4.1-1+deb12u1.debian.tar.xz=3e162db2b76480c7e157f4c2f6ff9a426fc023f262d4dc3287530b36e2843ebe)
LIBDEFLATE=(libdeflate "libdeflate=1.14-1"
  libdeflate_1.14.orig.tar.gz=89e7df898c37c3427b0f39aadcf733731321a278771d20fc553f92da8d4808ac
  libdeflate_1.14-1.debian.tar.xz=4794c379cc4e77eaeb283620bd80a7ce57b858af508f80ba6d5efbc4bcb10434)

verified() { # dest file=sha...
  local dest=$1; shift
  for pair in "$@"; do
    local f=${pair%%=*} sum=${pair#*=}
    [[ -f "$dest/$f" ]] && echo "$sum  $dest/$f" | sha256sum -c --quiet - 2>/dev/null || return 1
  done
}

sources_enabled=0
enable_sources() {
  [[ $sources_enabled == 1 ]] && return
  sources_enabled=1
  if ! compgen -G "/etc/apt/sources.list.d/*src*" >/dev/null && ! grep -qs '^deb-src' /etc/apt/sources.list; then
    # a deb-src twin of each configured Debian source (deb822 files)
    for f in /etc/apt/sources.list.d/*.sources; do
      [[ -e "$f" ]] || continue
      sed 's/^Types: deb$/Types: deb-src/' "$f" > "${f%.sources}-src.sources"
    done
    apt-get update -q
  fi
}

fetch() { # name package=version file=sha...
  local name=$1 pkg=$2; shift 2
  local dest=.cache/$name
  if verified "$dest" "$@"; then echo "$name source: $dest (verified)"; return 0; fi
  mkdir -p "$dest"
  enable_sources
  (cd "$dest" && apt-get source -q --download-only "$pkg") || { echo "$name source: apt-get source $pkg failed" >&2; return 1; }
  verified "$dest" "$@" || { echo "$name source: checksum mismatch in $dest" >&2; return 1; }
  echo "$name source: $dest (fetched, verified)"
}

fetch "${LIBJPEG[@]}"
fetch "${OPENJPEG[@]}" || echo "openjpeg source: not fetched; JPEG 2000 will decode through the WebAssembly OpenJPEG" >&2
fetch "${DAV1D[@]}" && fetch "${LIBYUV[@]}" || echo "dav1d / libyuv source: not fetched; AVIF will decode through the WebAssembly libavif" >&2
fetch "${XZ[@]}" || echo "xz-utils source: not fetched; LZMA-compressed TIFF will raise UnsupportedError" >&2
fetch "${LIBDEFLATE[@]}" || echo "libdeflate source: not fetched; Deflate TIFF strips will inflate through node:zlib" >&2
