/*
 * TIFF's LZW and PackBits strips and tiles in C, part of the native kernel (src/kernels/swizzle.c;
 * no library needed): the same decoders as lzwDecode and packBitsDecode in decompress.ts, which
 * stay the fallback and which test/codecs/tiff/strips-native.test.ts holds equal to these (the
 * same bytes, the same count, the same errors). LZW: new-style codes (most significant bit first, the width growing one code early) and libtiff's
 * old-style compatibility codes (least significant bit first). A table entry is the previous
 * code's string plus one byte and both already sit in the output, so an entry is a position and
 * a length there and emitting it is a copy (memcpy where it does not overlap what it writes).
 *
 * PackBits as libtiff's PackBitsDecode: runs across rows, a literal taken only whole, what
 * overflows the buffer dropped.
 *
 * JS API (registered on the kernel's exports as `lzw` and `packbits`):
 *   lzw.decodeSync(src, dst) -> bytes written (stops at EOI, at the end of dst or of the data)
 *   A corrupt table throws an Error with code 'IMARRAY_LZW' and the reason, as the TypeScript
 *   decoder's StripError says it.
 *   packbits.decodeSync(src, dst) -> bytes written (never throws on data)
 */
#include "../../kernels/napi.h"
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define CLEAR 256
#define EOI 257
#define TABLE (4096 + 1024)

typedef struct {
  int32_t start;
  int32_t length;
} entry_t;

typedef struct {
  entry_t e[TABLE];
} table_t;

/*
 * A string of len bytes at k copied to w (k < w), with forward byte-copy semantics where it
 * overlaps itself (a KwKwK code). 8 bytes a step while the source is at least 8 behind (every
 * chunk then reads bytes already final), never writing past w + len.
 */
static inline void emit(uint8_t *out, size_t w, size_t k, size_t len) {
  uint8_t *d = out + w;
  const uint8_t *s = out + k;
  size_t i = 0;
  if (w - k >= 8) {
    for (; i + 8 <= len; i += 8) memcpy(d + i, s + i, 8);
  }
  for (; i < len; i++) d[i] = s[i];
}

/* 8 bytes at p as a big-endian number */
static inline uint64_t load_be64(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  v = __builtin_bswap64(v);
#endif
  return v;
}

/* returns bytes written, or -1 with msg set */
static long lzw_msb(const uint8_t *src, size_t n, uint8_t *out, size_t end, table_t *t, char *msg, size_t msglen) {
  int nbits = 9, cleared = 0;
  unsigned limit = 510, free_ = 258;
  size_t prev_at = 0, prev_len = 0, p = 0, w = 0;
  /* the next bits, left-aligned: `have` of them are valid */
  uint64_t bits = 0;
  int have = 0;
  while (w < end) {
    if (have < nbits) {
      if (p + 8 <= n) {
        /* whole bytes up to 56 valid bits in one load */
        bits |= load_be64(src + p) >> have;
        const int take = (63 - have) >> 3;
        p += (size_t)take;
        have += take * 8;
      } else {
        while (have <= 56 && p < n) {
          bits |= (uint64_t)src[p++] << (56 - have);
          have += 8;
        }
        if (have < nbits) break; /* libtiff: "not terminated with EOI code" */
      }
    }
    const unsigned code = (unsigned)(bits >> (64 - nbits));
    bits <<= nbits;
    have -= nbits;
    if (code < 256) {
      if (prev_len == 0) {
        if (!cleared) { snprintf(msg, msglen, "LZWDecode: Corrupted LZW table (no clear code first)"); return -1; }
      } else {
        t->e[free_] = (entry_t){(int32_t)prev_at, (int32_t)prev_len + 1};
        if (++free_ > limit && nbits < 12) limit = (1u << ++nbits) - 2;
      }
      prev_at = w;
      prev_len = 1;
      out[w++] = (uint8_t)code;
      continue;
    }
    if (code == CLEAR) {
      nbits = 9;
      limit = 510;
      free_ = 258;
      cleared = 1;
      prev_len = 0;
      continue;
    }
    if (code == EOI) break;
    if (prev_len == 0) {
      snprintf(msg, msglen, "LZWDecode: Corrupted LZW table (code %u %s)", code, cleared ? "after a clear code" : "before any clear code");
      return -1;
    }
    if (code > free_ || free_ >= TABLE) { snprintf(msg, msglen, "LZWDecode: Corrupted LZW table (code %u, %u entries)", code, free_); return -1; }
    t->e[free_] = (entry_t){(int32_t)prev_at, (int32_t)prev_len + 1};
    if (++free_ > limit && nbits < 12) limit = (1u << ++nbits) - 2;
    const size_t k = (size_t)t->e[code].start, len = (size_t)t->e[code].length;
    prev_at = w;
    prev_len = len;
    if (len == 2 && w + 2 <= end) {
      /* the most common string of a busy image: its two bytes are final (k + 1 < w) */
      out[w] = out[k];
      out[w + 1] = out[k + 1];
      w += 2;
      continue;
    }
    const size_t take = w + len <= end ? len : end - w;
    emit(out, w, k, take);
    w += take;
  }
  return (long)(w < end ? w : end);
}

static long lzw_lsb(const uint8_t *src, size_t n, uint8_t *out, size_t end, table_t *t, char *msg, size_t msglen) {
  int nbits = 9, cleared = 0;
  unsigned limit = 511, free_ = 258;
  size_t prev_at = 0, prev_len = 0, p = 0, w = 0;
  uint32_t buf = 0;
  int have = 0;
  while (w < end) {
    while (have < nbits && p < n) {
      buf |= (uint32_t)src[p++] << have;
      have += 8;
    }
    if (have < nbits) break;
    const unsigned code = buf & ((1u << nbits) - 1);
    buf >>= nbits;
    have -= nbits;
    if (code == CLEAR) {
      nbits = 9;
      limit = 511;
      free_ = 258;
      cleared = 1;
      prev_len = 0;
      continue;
    }
    if (code == EOI) break;
    if (prev_len == 0) {
      if (!cleared) { snprintf(msg, msglen, "LZWDecode: Corrupted LZW table (no clear code first)"); return -1; }
      if (code > 255) { snprintf(msg, msglen, "LZWDecode: Corrupted LZW table (code %u after a clear code)", code); return -1; }
      prev_at = w;
      prev_len = 1;
      out[w++] = (uint8_t)code;
      continue;
    }
    if (code > free_ || free_ >= TABLE) { snprintf(msg, msglen, "LZWDecode: Corrupted LZW table (code %u, %u entries)", code, free_); return -1; }
    t->e[free_] = (entry_t){(int32_t)prev_at, (int32_t)prev_len + 1};
    if (++free_ > limit && nbits < 12) limit = (1u << ++nbits) - 1;
    prev_at = w;
    if (code < 256) {
      out[w++] = (uint8_t)code;
      prev_len = 1;
    } else {
      const size_t k = (size_t)t->e[code].start, len = (size_t)t->e[code].length;
      prev_len = len;
      const size_t take = w + len <= end ? len : end - w;
      emit(out, w, k, take);
      w += take;
    }
  }
  return (long)(w < end ? w : end);
}

/* libtiff's PackBitsDecode: returns bytes written */
static size_t packbits(const uint8_t *src, size_t n, uint8_t *out, size_t end) {
  size_t p = 0, w = 0;
  while (p < n && w < end) {
    const int c = (int8_t)src[p++];
    if (c < 0) {
      if (c == -128) continue;
      if (p >= n) break;
      size_t len = (size_t)(-c) + 1;
      if (len > end - w) len = end - w;
      memset(out + w, src[p++], len);
      w += len;
    } else {
      size_t len = (size_t)c + 1;
      if (len > end - w) len = end - w;
      if (n - p < len) break;
      memcpy(out + w, src + p, len);
      w += len;
      p += (size_t)c + 1;
    }
  }
  return w;
}

static napi_value PackBitsSync(napi_env env, napi_callback_info info) {
  uint8_t *src = NULL, *dst = NULL;
  size_t slen = 0, dlen = 0;
  napi_value out;
  if (!imarray_two_arrays(env, info, "packbits.decodeSync(src, dst): two Uint8Arrays", &src, &slen, &dst, &dlen)) return NULL;
  napi_create_double(env, (double)packbits(src, slen, dst, dlen), &out);
  return out;
}

static napi_value DecodeSync(napi_env env, napi_callback_info info) {
  static _Thread_local table_t table; /* 40 KB, one per thread that decodes */
  napi_value out;
  uint8_t *src = NULL, *dst = NULL;
  size_t slen = 0, dlen = 0;
  if (!imarray_two_arrays(env, info, "lzw.decodeSync(src, dst): two Uint8Arrays", &src, &slen, &dst, &dlen)) return NULL;
  char msg[128];
  const int old_style = slen >= 2 && src[0] == 0 && (src[1] & 1) == 1;
  const long w = old_style ? lzw_lsb(src, slen, dst, dlen, &table, msg, sizeof msg) : lzw_msb(src, slen, dst, dlen, &table, msg, sizeof msg);
  if (w < 0) {
    napi_throw(env, imarray_error(env, "IMARRAY_LZW", msg));
    return NULL;
  }
  napi_create_double(env, (double)w, &out);
  return out;
}

napi_status imarray_strips_register(napi_env env, napi_value exports) {
  const napi_status st = imarray_register(env, exports, "lzw", NULL, DecodeSync, NULL);
  return st != napi_ok ? st : imarray_register(env, exports, "packbits", NULL, PackBitsSync, NULL);
}
