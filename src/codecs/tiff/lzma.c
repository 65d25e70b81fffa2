/*
 * LZMA-compressed TIFF strips and tiles (compression 34925), linked into the native kernel
 * (src/kernels/swizzle.c) by scripts/build-native.mjs when xz-utils' source is at hand
 * (scripts/fetch-sources.sh). libtiff's tif_lzma.c decodes each strip or tile as one .xz stream
 * (lzma_stream_decoder, no memory limit, no flags) into the buffer it wants filled; this does the
 * same into the caller's buffer and says how many bytes came out. The rest (predictors, byte
 * order, unpacking) is TypeScript's, as for LZW and Deflate (src/codecs/tiff/decode.ts).
 *
 * JS API (registered on the kernel's exports as `lzma`):
 *   lzma.decodeSync(src, dst) -> number of bytes written to dst (the stream ended or dst is full)
 *   A stream that does not decode throws an Error with code 'IMARRAY_LZMA' and liblzma's reason.
 */
#include "../../kernels/napi.h"
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <lzma.h>

static const char *reason(lzma_ret r) {
  switch (r) {
    case LZMA_MEM_ERROR: return "out of memory";
    case LZMA_MEMLIMIT_ERROR: return "memory limit reached";
    case LZMA_FORMAT_ERROR: return "not an .xz stream";
    case LZMA_OPTIONS_ERROR: return "unsupported options";
    case LZMA_DATA_ERROR: return "corrupt data";
    case LZMA_BUF_ERROR: return "the data ends early";
    default: return "error";
  }
}

static napi_value DecodeSync(napi_env env, napi_callback_info info) {
  napi_value out;
  uint8_t *src = NULL, *dst = NULL;
  size_t slen = 0, dlen = 0;
  if (!imarray_two_arrays(env, info, "lzma.decodeSync(src, dst): two Uint8Arrays", &src, &slen, &dst, &dlen)) return NULL;
  lzma_stream s = LZMA_STREAM_INIT;
  lzma_ret r = lzma_stream_decoder(&s, UINT64_MAX, 0);
  if (r == LZMA_OK) {
    s.next_in = src;
    s.avail_in = slen;
    s.next_out = dst;
    s.avail_out = dlen;
    /* as LZMADecode: run until the buffer is full, the stream ends, or an error */
    while (s.avail_out > 0) {
      r = lzma_code(&s, LZMA_RUN);
      if (r == LZMA_STREAM_END) break;
      if (r != LZMA_OK) break;
      if (s.avail_in == 0) {
        r = LZMA_BUF_ERROR;
        break;
      }
    }
  }
  const size_t written = dlen - s.avail_out;
  lzma_end(&s);
  if (r != LZMA_OK && r != LZMA_STREAM_END && !(r == LZMA_BUF_ERROR && written > 0)) {
    char msg[96];
    snprintf(msg, sizeof msg, "LZMA: %s after %zu bytes", reason(r), written);
    napi_throw(env, imarray_error(env, "IMARRAY_LZMA", msg));
    return NULL;
  }
  napi_create_double(env, (double)written, &out);
  return out;
}

napi_status imarray_lzma_register(napi_env env, napi_value exports) {
  return imarray_register(env, exports, "lzma", NULL, DecodeSync, lzma_version_string());
}
