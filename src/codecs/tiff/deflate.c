/*
 * Deflate-compressed TIFF strips and tiles (compressions 8 and 32946) by libdeflate, linked into
 * the native kernel (src/kernels/swizzle.c) by scripts/build-native.mjs when libdeflate's source
 * is at hand (scripts/fetch-sources.sh). A strip is one zlib stream whose decompressed size the
 * caller knows, libdeflate's whole-buffer case: it inflates straight into the caller's buffer.
 * Only a stream that decodes completely into at most the buffer counts: anything else (corrupt
 * data, a stream cut short or longer than the strip) returns -1 and the caller inflates the strip
 * with node:zlib as libtiff's zlib would (partial output, zlib's error message), so both paths
 * give the same bytes and the same errors.
 *
 * JS API (registered on the kernel's exports as `deflate`):
 *   deflate.decodeSync(src, dst) -> bytes written, or -1: ask zlib
 */
#include "../../kernels/napi.h"
#include <stdint.h>
#include <libdeflate.h>

static napi_value DecodeSync(napi_env env, napi_callback_info info) {
  /* one decompressor per thread that decodes (about 32 KB), kept */
  static _Thread_local struct libdeflate_decompressor *d = NULL;
  napi_value out;
  uint8_t *src = NULL, *dst = NULL;
  size_t slen = 0, dlen = 0;
  if (!imarray_two_arrays(env, info, "deflate.decodeSync(src, dst): two Uint8Arrays", &src, &slen, &dst, &dlen)) return NULL;
  if (d == NULL) d = libdeflate_alloc_decompressor();
  size_t written = 0;
  const double r = d != NULL && libdeflate_zlib_decompress(d, src, slen, dst, dlen, &written) == LIBDEFLATE_SUCCESS ? (double)written : -1;
  napi_create_double(env, r, &out);
  return out;
}

napi_status imarray_deflate_register(napi_env env, napi_value exports) {
  return imarray_register(env, exports, "deflate", NULL, DecodeSync, LIBDEFLATE_VERSION_STRING);
}
