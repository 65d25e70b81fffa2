/*
 * imarray's native kernel (optional): byte permutations within 3- or 4-byte pixels
 * (RGB -> BGR, RGBA -> BGRA...) straight from a JS Uint8Array into another, in one pass.
 *
 * Why native: WebAssembly reaches only its own memory, so the wasm kernel (swizzle.wat)
 * has to copy each block in and out again, and that staging alone costs more than a plain
 * copy; from here both arrays are addressed directly, so the permute is one read and one write
 * of each byte, like memcpy. Built by scripts/build-native.mjs (`npm ci` runs it) with the
 * system C compiler against Node-API; ./swizzle.ts uses it where it loaded and falls back to
 * the wasm kernel where it did not.
 *
 *   permute(src: Uint8Array, si, dst: Uint8Array, di, n, perm: Uint8Array[, maxLevel]): undefined
 *   kernel: 'avx512vbmi' | 'avx2' | 'ssse3' | 'neon' | 'scalar'; level: 3..0 (maxLevel caps it: tests)
 *   prefault(buf: Uint8Array): boolean    (see Prefault below)
 *
 * Output byte c of each of the n pixels = input byte perm[c] of that pixel; perm.length is
 * the pixel size (3 or 4); si / di are byte offsets. dst may be src at the same offset (in
 * place); other overlaps, bad types and ranges throw, nothing is read or written out of range.
 *
 * Kernels, picked once per CPU: x86-64 AVX-512 VBMI (one vpermb per 60 or 64 bytes, masked
 * store), AVX2 (24 or 32 bytes per step), SSSE3 (16-byte pshufb at a 12- or 16-byte step: four
 * whole pixels per vector, lanes past them pass through), arm64 NEON (tbl, as SSSE3), scalar
 * elsewhere and for the tail. Each vector is loaded before any store that overlaps it, and the
 * overlap of a store with the next load is pass-through bytes, so the SSSE3 / NEON loops are
 * safe in place; the AVX2 3-byte loop (which stores 8 bytes of padding) only runs out of place.
 * Each kernel's speed against memcpy: docs/internals.md.
 */
#define _DEFAULT_SOURCE /* madvise, sysconf under -std=c11 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdint.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif
#endif

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define IMARRAY_X86 1
#define IMARRAY_VEC1 "ssse3"
#elif defined(__aarch64__)
#include <arm_neon.h>
#define IMARRAY_NEON 1
#define IMARRAY_VEC1 "neon"
#else
#define IMARRAY_VEC1 "scalar"
#endif

/* The scalar kernel: whole pixels, read before written (safe in place). */
static void permute_scalar(const uint8_t *s, uint8_t *d, size_t n, unsigned bands, const uint8_t *perm) {
  uint8_t px[4];
  for (size_t i = 0; i < n; i++, s += bands, d += bands) {
    memcpy(px, s, bands);
    for (unsigned c = 0; c < bands; c++) d[c] = px[perm[c]];
  }
}

/* The 16-lane mask for four pixels: lane j < 4 * bands takes its pixel's byte perm[j % bands]. */
static void make_mask(uint8_t mask[16], unsigned bands, const uint8_t *perm) {
  unsigned step = 4 * bands;
  for (unsigned j = 0; j < 16; j++) mask[j] = (uint8_t)(j < step ? j - j % bands + perm[j % bands] : j);
}

#if defined(IMARRAY_X86)
#define TARGET(t) __attribute__((target(t)))
/* Four pixels per 16-byte vector at a step of 4 * bands bytes; returns the pixels done. */
TARGET("ssse3") static size_t permute_ssse3(const uint8_t *s, uint8_t *d, size_t n, unsigned bands, const uint8_t *mask_bytes) {
  const size_t step = 4 * (size_t)bands;
  const size_t len = n * bands;
  const __m128i mask = _mm_loadu_si128((const __m128i *)mask_bytes);
  size_t i = 0;
  for (; i + 3 * step + 16 <= len; i += 4 * step) {
    __m128i a = _mm_loadu_si128((const __m128i *)(s + i));
    __m128i b = _mm_loadu_si128((const __m128i *)(s + i + step));
    __m128i c = _mm_loadu_si128((const __m128i *)(s + i + 2 * step));
    __m128i e = _mm_loadu_si128((const __m128i *)(s + i + 3 * step));
    _mm_storeu_si128((__m128i *)(d + i), _mm_shuffle_epi8(a, mask));
    _mm_storeu_si128((__m128i *)(d + i + step), _mm_shuffle_epi8(b, mask));
    _mm_storeu_si128((__m128i *)(d + i + 2 * step), _mm_shuffle_epi8(c, mask));
    _mm_storeu_si128((__m128i *)(d + i + 3 * step), _mm_shuffle_epi8(e, mask));
  }
  for (; i + 16 <= len; i += step) {
    _mm_storeu_si128((__m128i *)(d + i), _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(s + i)), mask));
  }
  return i / bands;
}

/*
 * AVX2, out of place. 3 bytes: load 32 bytes, spread dwords 0-3 / 3-6 into the two 128-bit
 * lanes (four pixels each), shuffle within lanes, pack the 24 result bytes down, store 32
 * (the last 8 are rewritten by the next step). 4 bytes: eight pixels per 32-byte shuffle.
 */
TARGET("avx2") static size_t permute_avx2(const uint8_t *s, uint8_t *d, size_t n, unsigned bands, const uint8_t *mask_bytes) {
  const size_t len = n * bands;
  const __m256i mask = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)mask_bytes));
  size_t i = 0;
  if (bands == 3) {
    const __m256i spread = _mm256_setr_epi32(0, 1, 2, 3, 3, 4, 5, 6);
    const __m256i pack = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 7, 7);
    for (; i + 32 <= len; i += 24) {
      __m256i v = _mm256_permutevar8x32_epi32(_mm256_loadu_si256((const __m256i *)(s + i)), spread);
      v = _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(v, mask), pack);
      _mm256_storeu_si256((__m256i *)(d + i), v);
    }
  } else {
    for (; i + 32 <= len; i += 32) {
      _mm256_storeu_si256((__m256i *)(d + i), _mm256_shuffle_epi8(_mm256_loadu_si256((const __m256i *)(s + i)), mask));
    }
  }
  return i / bands;
}

/*
 * AVX-512 VBMI (Ice Lake, Zen 4 and later): one vpermb permutes any byte of 64 into any lane,
 * so 20 RGB pixels (60 bytes) or 16 RGBA pixels go in one step; the masked store writes exactly
 * those bytes, so it is safe in place too.
 */
TARGET("avx512f,avx512bw,avx512vbmi") static size_t permute_vbmi(const uint8_t *s, uint8_t *d, size_t n, unsigned bands, const uint8_t *perm) {
  const size_t step = bands == 3 ? 60 : 64;
  const size_t len = n * bands;
  uint8_t lanes[64];
  for (unsigned j = 0; j < 64; j++) lanes[j] = (uint8_t)(j < step ? j - j % bands + perm[j % bands] : j);
  const __m512i idx = _mm512_loadu_si512((const void *)lanes);
  const __mmask64 keep = step == 64 ? ~(__mmask64)0 : ((__mmask64)1 << step) - 1;
  size_t i = 0;
  for (; i + 64 <= len; i += step) {
    _mm512_mask_storeu_epi8(d + i, keep, _mm512_permutexvar_epi8(idx, _mm512_loadu_si512((const void *)(s + i))));
  }
  return i / bands;
}

/*
 * AVX-512 VBMI, 3-byte pixels, out of place, with aligned stores: every 64-byte store is one
 * whole cache line of dst (the masked 60-byte stores above straddle two lines each, which is
 * slower in cache). Output line k of a 192-byte (64-pixel) chunk needs source bytes from 2 before it to
 * 2 past it: two loads (at -2 and +2) and one two-source vpermt2b per line, with one index
 * vector per line of the chunk (the pixel phase repeats every 3 lines). Head and tail run the
 * masked kernel.
 */
TARGET("avx512f,avx512bw,avx512vbmi") static size_t permute_vbmi3_aligned(const uint8_t *s, uint8_t *d, size_t n, const uint8_t *perm) {
  const size_t len = n * 3;
  size_t o = 0; /* the first pixel boundary >= 2 bytes in at which dst is 64-byte aligned */
  while (o < 2 || ((uintptr_t)(d + o) & 63) != 0) o += 3;
  if (o + 194 > len) return permute_vbmi(s, d, n, 3, perm);
  const size_t head = permute_vbmi(s, d, o / 3, 3, perm);
  permute_scalar(s + head * 3, d + head * 3, o / 3 - head, 3, perm);
  uint8_t lanes[3][64];
  for (unsigned k = 0; k < 3; k++) {
    for (unsigned j = 0; j < 64; j++) {
      const unsigned g = 64 * k + j;            /* byte of the chunk */
      const unsigned src = g - g % 3 + perm[g % 3]; /* its source byte, g - 2 .. g + 2 */
      lanes[k][j] = (uint8_t)(src + 2 < 64 * k + 64 ? src + 2 - 64 * k : 64 + src - (64 * k + 2));
    }
  }
  const __m512i i0 = _mm512_loadu_si512((const void *)lanes[0]);
  const __m512i i1 = _mm512_loadu_si512((const void *)lanes[1]);
  const __m512i i2 = _mm512_loadu_si512((const void *)lanes[2]);
  for (; o + 194 <= len; o += 192) {
    const uint8_t *c = s + o;
    _mm512_store_si512((void *)(d + o), _mm512_permutex2var_epi8(_mm512_loadu_si512((const void *)(c - 2)), i0, _mm512_loadu_si512((const void *)(c + 2))));
    _mm512_store_si512((void *)(d + o + 64), _mm512_permutex2var_epi8(_mm512_loadu_si512((const void *)(c + 62)), i1, _mm512_loadu_si512((const void *)(c + 66))));
    _mm512_store_si512((void *)(d + o + 128), _mm512_permutex2var_epi8(_mm512_loadu_si512((const void *)(c + 126)), i2, _mm512_loadu_si512((const void *)(c + 130))));
  }
  return o / 3 + permute_vbmi(s + o, d + o, n - o / 3, 3, perm);
}
#elif defined(IMARRAY_NEON)
static size_t permute_neon(const uint8_t *s, uint8_t *d, size_t n, unsigned bands, const uint8_t *mask_bytes) {
  const size_t step = 4 * (size_t)bands;
  const size_t len = n * bands;
  const uint8x16_t mask = vld1q_u8(mask_bytes);
  size_t i = 0;
  for (; i + 3 * step + 16 <= len; i += 4 * step) {
    uint8x16_t a = vld1q_u8(s + i), b = vld1q_u8(s + i + step), c = vld1q_u8(s + i + 2 * step), e = vld1q_u8(s + i + 3 * step);
    vst1q_u8(d + i, vqtbl1q_u8(a, mask));
    vst1q_u8(d + i + step, vqtbl1q_u8(b, mask));
    vst1q_u8(d + i + 2 * step, vqtbl1q_u8(c, mask));
    vst1q_u8(d + i + 3 * step, vqtbl1q_u8(e, mask));
  }
  for (; i + 16 <= len; i += step) vst1q_u8(d + i, vqtbl1q_u8(vld1q_u8(s + i), mask));
  return i / bands;
}
#endif

/* The vector kernel this CPU runs: 3 AVX-512 VBMI, 2 AVX2, 1 SSSE3 or NEON, 0 none (scalar). */
static int vector_level(void) {
#if defined(IMARRAY_X86)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512vbmi") && __builtin_cpu_supports("avx512bw")) return 3;
  return __builtin_cpu_supports("avx2") ? 2 : __builtin_cpu_supports("ssse3") ? 1 : 0;
#elif defined(IMARRAY_NEON)
  return 1;
#else
  return 0;
#endif
}

static const char *kernel_name(int level) {
  static const char *const names[] = { "scalar", IMARRAY_VEC1, "avx2", "avx512vbmi" };
  return names[level];
}

/* The best kernel up to `level`, then the scalar one for the tail. */
static void permute_bytes(const uint8_t *s, uint8_t *d, size_t n, unsigned bands, const uint8_t *perm, int level) {
  uint8_t mask[16];
  make_mask(mask, bands, perm);
  size_t done = 0;
#if defined(IMARRAY_X86)
  if (level >= 3 && bands == 3 && s != d) done = permute_vbmi3_aligned(s, d, n, perm);
  else if (level >= 3) done = permute_vbmi(s, d, n, bands, perm);
  else if (level == 2 && s != d) done = permute_avx2(s, d, n, bands, mask);
  else if (level >= 1) done = permute_ssse3(s, d, n, bands, mask);
#elif defined(IMARRAY_NEON)
  if (level >= 1) done = permute_neon(s, d, n, bands, mask);
#else
  (void)level;
#endif
  permute_scalar(s + done * bands, d + done * bands, n - done, bands, perm);
}

/* ---- Node-API glue: every argument checked; errors are thrown, never a crash. ---- */

#define CHECK(call) do { if ((call) != napi_ok) return fail(env, "ERR_INVALID_ARG_TYPE", "imarray native: a Node-API call failed"); } while (0)

static napi_value fail(napi_env env, const char *code, const char *msg) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) {
    if (strcmp(code, "ERR_OUT_OF_RANGE") == 0) napi_throw_range_error(env, code, msg);
    else napi_throw_type_error(env, code, msg);
  }
  return NULL;
}

/* A Uint8Array argument: its bytes and length. */
static napi_status bytes_of(napi_env env, napi_value v, uint8_t **data, size_t *len) {
  bool is = false;
  napi_status st = napi_is_typedarray(env, v, &is);
  if (st != napi_ok || !is) return napi_invalid_arg;
  napi_typedarray_type type;
  void *p = NULL;
  st = napi_get_typedarray_info(env, v, &type, len, &p, NULL, NULL);
  if (st != napi_ok || type != napi_uint8_array) return napi_invalid_arg;
  *data = p;
  return napi_ok;
}

/* A non-negative integer argument below 2^53. */
static napi_status index_of(napi_env env, napi_value v, size_t *out) {
  double x;
  if (napi_get_value_double(env, v, &x) != napi_ok) return napi_number_expected;
  if (!(x >= 0 && x <= 9007199254740991.0) || x != (double)(int64_t)x) return napi_invalid_arg;
  *out = (size_t)x;
  return napi_ok;
}

static int cpu_level = -1;

static napi_value Permute(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 6 || argc > 7) return fail(env, "ERR_INVALID_ARG_TYPE", "permute(src, si, dst, di, n, perm[, maxLevel]): 6 or 7 arguments");
  int level = cpu_level;
  if (argc == 7) { /* tests: run a lower kernel than the CPU's best */
    size_t max;
    if (index_of(env, argv[6], &max) != napi_ok || max > 3) return fail(env, "ERR_OUT_OF_RANGE", "permute: maxLevel must be 0, 1, 2 or 3");
    if ((int)max < level) level = (int)max;
  }
  uint8_t *src = NULL, *dst = NULL, *perm = NULL;
  size_t slen = 0, dlen = 0, bands = 0, si = 0, di = 0, n = 0;
  if (bytes_of(env, argv[0], &src, &slen) != napi_ok) return fail(env, "ERR_INVALID_ARG_TYPE", "permute: src must be a Uint8Array");
  if (bytes_of(env, argv[2], &dst, &dlen) != napi_ok) return fail(env, "ERR_INVALID_ARG_TYPE", "permute: dst must be a Uint8Array");
  if (bytes_of(env, argv[5], &perm, &bands) != napi_ok || (bands != 3 && bands != 4)) {
    return fail(env, "ERR_INVALID_ARG_TYPE", "permute: perm must be a Uint8Array of 3 or 4 band indices");
  }
  for (size_t c = 0; c < bands; c++) {
    if (perm[c] >= bands) return fail(env, "ERR_OUT_OF_RANGE", "permute: perm holds a band index >= its length");
  }
  napi_status st_si = index_of(env, argv[1], &si), st_di = index_of(env, argv[3], &di), st_n = index_of(env, argv[4], &n);
  if (st_si == napi_number_expected || st_di == napi_number_expected || st_n == napi_number_expected) {
    return fail(env, "ERR_INVALID_ARG_TYPE", "permute: si, di and n must be numbers");
  }
  if (st_si != napi_ok || st_di != napi_ok || st_n != napi_ok) {
    return fail(env, "ERR_OUT_OF_RANGE", "permute: si, di and n must be non-negative integers below 2^53");
  }
  if (n > SIZE_MAX / 4 || si > slen || di > dlen || n * bands > slen - si || n * bands > dlen - di) {
    return fail(env, "ERR_OUT_OF_RANGE", "permute: the pixels run past the end of src or dst");
  }
  const size_t len = n * bands;
  if (len == 0) return NULL;
  const uint8_t *s = src + si;
  uint8_t *d = dst + di;
  if (s != d && s < d + len && d < s + len) return fail(env, "ERR_OUT_OF_RANGE", "permute: src and dst overlap (only exactly in place is allowed)");
  /* perm may alias src or dst: copy it first */
  uint8_t p[4];
  memcpy(p, perm, bands);
  permute_bytes(s, d, n, (unsigned)bands, p, level);
  return NULL;
}

/*
 * prefault(buf: Uint8Array): boolean. Maps in the whole pages inside a fresh output before it
 * is written: one madvise(MADV_POPULATE_WRITE) instead of a page fault per 4 KB as the kernel
 * stores into it (docs/internals.md has what the faults cost).
 * The bytes are unchanged (the pages were zero and stay zero). Linux 5.14+; elsewhere, or when
 * the call fails, false and nothing happened.
 */
static napi_value Prefault(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  uint8_t *data = NULL;
  size_t len = 0;
  if (argc != 1 || bytes_of(env, argv[0], &data, &len) != napi_ok) return fail(env, "ERR_INVALID_ARG_TYPE", "prefault(buf): buf must be a Uint8Array");
  bool done = false;
#if defined(__linux__)
  const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
  const uintptr_t start = ((uintptr_t)data + page - 1) & ~(page - 1);
  const uintptr_t end = ((uintptr_t)data + len) & ~(page - 1);
  if (data != NULL && page > 0 && end > start) done = madvise((void *)start, end - start, MADV_POPULATE_WRITE) == 0;
#endif
  CHECK(napi_get_boolean(env, done, &result));
  return result;
}

napi_status imarray_strips_register(napi_env env, napi_value exports); /* src/codecs/tiff/strips.c */
#ifdef IMARRAY_WITH_JPEG
napi_status imarray_jpeg_register(napi_env env, napi_value exports); /* src/codecs/jpeg/turbo.c */
#endif
#ifdef IMARRAY_WITH_OPENJPEG
napi_status imarray_j2k_register(napi_env env, napi_value exports); /* src/codecs/jpeg2000/openjpeg.c */
#endif
#ifdef IMARRAY_WITH_LZMA
napi_status imarray_lzma_register(napi_env env, napi_value exports); /* src/codecs/tiff/lzma.c */
#endif
#ifdef IMARRAY_WITH_DEFLATE
napi_status imarray_deflate_register(napi_env env, napi_value exports); /* src/codecs/tiff/deflate.c */
#endif
#ifdef IMARRAY_WITH_AVIF
napi_status imarray_avif_register(napi_env env, napi_value exports); /* src/codecs/avif/dav1d.c */
#endif

NAPI_MODULE_INIT() {
  napi_value fn, name, lv;
  if (cpu_level < 0) cpu_level = vector_level(); /* the same value from every thread that loads it */
  if (napi_create_function(env, "permute", NAPI_AUTO_LENGTH, Permute, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "permute", fn) != napi_ok) return NULL;
  if (napi_create_function(env, "prefault", NAPI_AUTO_LENGTH, Prefault, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "prefault", fn) != napi_ok) return NULL;
  if (napi_create_string_utf8(env, kernel_name(cpu_level), NAPI_AUTO_LENGTH, &name) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "kernel", name) != napi_ok) return NULL;
  if (napi_create_int32(env, cpu_level, &lv) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "level", lv) != napi_ok) return NULL;
  if (imarray_strips_register(env, exports) != napi_ok) return NULL;
#ifdef IMARRAY_WITH_JPEG
  if (imarray_jpeg_register(env, exports) != napi_ok) return NULL;
#endif
#ifdef IMARRAY_WITH_OPENJPEG
  if (imarray_j2k_register(env, exports) != napi_ok) return NULL;
#endif
#ifdef IMARRAY_WITH_AVIF
  if (imarray_avif_register(env, exports) != napi_ok) return NULL;
#endif
#ifdef IMARRAY_WITH_LZMA
  if (imarray_lzma_register(env, exports) != napi_ok) return NULL;
#endif
#ifdef IMARRAY_WITH_DEFLATE
  if (imarray_deflate_register(env, exports) != napi_ok) return NULL;
#endif
  return exports;
}
