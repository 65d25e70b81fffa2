/*
 * imarray's native AVIF decoder (the 'native' AVIF back-end), linked into the native kernel
 * (src/kernels/swizzle.c) by scripts/build-native.mjs when dav1d's and libyuv's sources are at
 * hand (scripts/fetch-sources.sh); prebuilt for linux-x64 and linux-arm64.
 *
 * The container is read in TypeScript (parse.ts), which hands over the AV1 samples of the
 * colour image (an item's payload, or a sequence's samples from a sync sample to the frame
 * wanted) and of its alpha auxiliary image. Here dav1d decodes them (dav1d's defaults, film
 * grain applied, one frame of delay), the last picture is the frame, and its YUV is turned into
 * Pillow's pixels the way Pillow's libavif does with libyuv: the libyuv matrix for the range,
 * matrix coefficients and colour primaries, then
 *   RGB:  I420/I422ToRGB24MatrixFilter (bilinear), I444ToRGB24Matrix (V and U swapped with the
 *         YVU matrix, libavif's byte-order trick)
 *   RGBA: I444ToARGBMatrix, I422/I420ToARGBMatrixFilter (bilinear), I400ToARGBMatrix, the alpha
 *         plane into the fourth byte (a limited-range one brought to full range)
 *   L:    the Y plane brought to full range
 * and libavif's own arithmetic where libyuv has no function (identity matrix). What neither
 * covers (more than 8 bits, premultiplied alpha, other matrices) is reported as unsupported and
 * decodes through the WebAssembly libavif.
 *
 * JS API (registered on the kernel's exports as `avif`):
 *   avif.decode(colour, alpha, dst, dstOffset, width, height, format, mc, cp, threads) -> Promise<Result>
 *   avif.decodeSync(...same)                                                          -> Result
 *   colour: Uint8Array[] (AV1 samples, decoded in order; the last picture is the frame);
 *   alpha: Uint8Array[] or null; format: 0 L, 1 RGB, 2 RGBA; mc / cp: the nclx matrix
 *   coefficients / colour primaries of the container, -1 to take the AV1 sequence header's.
 *   Result: { ok, unsupported, message, layout, range, depth }: ok false with unsupported true
 *   is a file this decoder does not convert (the caller falls back), else a decode failure.
 */
#include "../../kernels/napi.h"
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dav1d/dav1d.h>
#include <libyuv.h>

#define MAX_SAMPLES 65536

typedef struct {
  const uint8_t *data;
  size_t len;
} sample_t;

typedef struct {
  /* in */
  sample_t *colour;
  unsigned ncolour;
  sample_t *alpha;
  unsigned nalpha;
  uint8_t *dst;
  size_t dst_len;
  unsigned width, height;
  int format, mc, cp, threads;
  /* out */
  int ok, unsupported;
  int layout, full_range, depth;
  char message[256];
} job;

enum { F_L = 0, F_RGB = 1, F_RGBA = 2 };

static void no_free(const uint8_t *data, void *cookie) {
  (void)data;
  (void)cookie;
}

/* Decodes the samples in order; *pic is the last picture dav1d gave (caller unrefs). 0 ok. */
static int decode_samples(job *j, const sample_t *samples, unsigned n, Dav1dPicture *pic, const char *what) {
  Dav1dSettings s;
  Dav1dContext *c = NULL;
  dav1d_default_settings(&s);
  s.n_threads = j->threads;
  s.max_frame_delay = 1;
  s.all_layers = 0;
  s.frame_size_limit = j->width * j->height; /* never larger than the header said */
  if (dav1d_open(&c, &s) != 0) {
    snprintf(j->message, sizeof j->message, "dav1d cannot start (%s)", what);
    return -1;
  }
  int got = 0, rc = 0;
  memset(pic, 0, sizeof *pic);
  Dav1dPicture next;
  for (unsigned i = 0; i < n && rc == 0; i++) {
    Dav1dData d;
    memset(&d, 0, sizeof d);
    if (dav1d_data_wrap(&d, samples[i].data, samples[i].len, no_free, NULL) != 0) {
      snprintf(j->message, sizeof j->message, "dav1d cannot take %s sample %u", what, i);
      rc = -1;
      break;
    }
    do {
      int r = dav1d_send_data(c, &d);
      if (r < 0 && r != DAV1D_ERR(EAGAIN)) {
        snprintf(j->message, sizeof j->message, "the AV1 data of %s sample %u does not decode (dav1d error %d)", what, i, r);
        rc = -1;
        break;
      }
      /* every picture ready so far; the last one is kept */
      memset(&next, 0, sizeof next);
      while ((r = dav1d_get_picture(c, &next)) == 0) {
        if (got) dav1d_picture_unref(pic);
        *pic = next;
        got = 1;
        memset(&next, 0, sizeof next);
      }
      if (r != DAV1D_ERR(EAGAIN)) {
        snprintf(j->message, sizeof j->message, "the AV1 data of %s sample %u does not decode (dav1d error %d)", what, i, r);
        rc = -1;
        break;
      }
    } while (d.sz > 0);
    if (d.sz > 0) dav1d_data_unref(&d);
  }
  /* drain: the pictures still inside the decoder */
  for (int r = 0; rc == 0;) {
    memset(&next, 0, sizeof next);
    r = dav1d_get_picture(c, &next);
    if (r == DAV1D_ERR(EAGAIN)) break;
    if (r < 0) {
      snprintf(j->message, sizeof j->message, "the AV1 data of %s does not decode (dav1d error %d)", what, r);
      rc = -1;
      break;
    }
    if (got) dav1d_picture_unref(pic);
    *pic = next;
    got = 1;
  }
  dav1d_close(&c);
  if (rc == 0 && !got) {
    snprintf(j->message, sizeof j->message, "the AV1 data of %s gives no picture", what);
    rc = -1;
  }
  if (rc != 0 && got) dav1d_picture_unref(pic);
  return rc;
}

/* libavif's choice of libyuv constants (reformat_libyuv.c): by range, matrix coefficients, primaries */
static const struct YuvConstants *matrix_of(int full, int mc, int cp) {
  const int derived = mc == 12; /* chroma-derived non-constant luminance: by the primaries */
  if (derived) mc = cp == 1 || cp == 2 ? 1 : cp == 5 || cp == 6 ? 6 : cp == 9 ? 9 : -1;
  if (full) {
    switch (mc) {
      case 1: return &kYvuF709Constants;
      case 2: case 5: case 6: return derived && mc == 2 ? NULL : &kYvuJPEGConstants;
      case 9: return &kYvuV2020Constants;
      default: return NULL;
    }
  }
  switch (mc) {
    case 1: return &kYvuH709Constants;
    case 2: case 5: case 6: return &kYvuI601Constants;
    case 9: return &kYvu2020Constants;
    default: return NULL;
  }
}

/* libavif's built-in conversion for the identity matrix (G = Y, B = U, R = V), 4:4:4, 8 bits */
static int identity(job *j, const Dav1dPicture *p) {
  if (p->p.layout != DAV1D_PIXEL_LAYOUT_I444) return -1;
  const float bias = p->seq_hdr->color_range ? 0.0f : 16.0f, range = p->seq_hdr->color_range ? 255.0f : 219.0f;
  const unsigned bands = j->format == F_RGBA ? 4 : 3;
  for (unsigned y = 0; y < j->height; y++) {
    const uint8_t *py = (const uint8_t *)p->data[0] + (ptrdiff_t)y * p->stride[0];
    const uint8_t *pu = (const uint8_t *)p->data[1] + (ptrdiff_t)y * p->stride[1];
    const uint8_t *pv = (const uint8_t *)p->data[2] + (ptrdiff_t)y * p->stride[1];
    uint8_t *out = j->dst + (size_t)y * j->width * bands;
    for (unsigned x = 0; x < j->width; x++, out += bands) {
      const uint8_t src[3] = { pv[x], py[x], pu[x] };
      for (int c = 0; c < 3; c++) {
        float v = ((float)src[c] - bias) / range;
        v = v < 0.0f ? 0.0f : v > 1.0f ? 1.0f : v;
        out[c] = (uint8_t)lrintf(floorf(v * 255.0f + 0.5f));
      }
    }
  }
  return 0;
}

static int convert(job *j, const Dav1dPicture *p) {
  const int full = p->seq_hdr->color_range;
  const int mc = j->mc >= 0 ? j->mc : (int)p->seq_hdr->mtrx;
  const int cp = j->cp >= 0 ? j->cp : (int)p->seq_hdr->pri;
  const uint8_t *Y = p->data[0], *U = p->data[1], *V = p->data[2];
  const int sy = (int)p->stride[0], suv = (int)p->stride[1];
  const int w = (int)j->width, h = (int)j->height;
  uint8_t *d = j->dst;
  if (p->p.bpc != 8) {
    snprintf(j->message, sizeof j->message, "%d-bit AV1 samples", p->p.bpc);
    return 1;
  }
  if (j->format == F_L) {
    /* the Y plane to full range (libavif's grey output) */
    for (int y = 0; y < h; y++) {
      const uint8_t *row = Y + (ptrdiff_t)y * sy;
      uint8_t *out = d + (size_t)y * w;
      if (full) memcpy(out, row, (size_t)w);
      else {
        for (int x = 0; x < w; x++) {
          float v = ((float)row[x] - 16.0f) / 219.0f;
          v = v < 0.0f ? 0.0f : v > 1.0f ? 1.0f : v;
          out[x] = (uint8_t)lrintf(floorf(v * 255.0f + 0.5f));
        }
      }
    }
    return 0;
  }
  if (mc == 0) {
    if (identity(j, p) != 0) {
      snprintf(j->message, sizeof j->message, "identity matrix with subsampled chroma");
      return 1;
    }
    return 0;
  }
  const struct YuvConstants *m = matrix_of(full, mc, cp);
  if (m == NULL) {
    snprintf(j->message, sizeof j->message, "matrix coefficients %d (primaries %d) have no libyuv conversion", mc, cp);
    return 1;
  }
  int r = -1;
  const enum Dav1dPixelLayout layout = p->p.layout;
  if (j->format == F_RGB) {
    if (layout == DAV1D_PIXEL_LAYOUT_I420) r = I420ToRGB24MatrixFilter(Y, sy, V, suv, U, suv, d, w * 3, m, w, h, kFilterBilinear);
    else if (layout == DAV1D_PIXEL_LAYOUT_I422) r = I422ToRGB24MatrixFilter(Y, sy, V, suv, U, suv, d, w * 3, m, w, h, kFilterBilinear);
    else if (layout == DAV1D_PIXEL_LAYOUT_I444) r = I444ToRGB24Matrix(Y, sy, V, suv, U, suv, d, w * 3, m, w, h);
    else {
      /* grey AV1 in an RGB image: libyuv to RGBA in the output's own bytes is not possible; row by row */
      uint8_t *row = malloc((size_t)w * 4);
      if (row == NULL) { snprintf(j->message, sizeof j->message, "out of memory"); return -1; }
      r = 0;
      for (int y = 0; y < h && r == 0; y++) {
        r = I400ToARGBMatrix(Y + (ptrdiff_t)y * sy, sy, row, w * 4, m, w, 1);
        for (int x = 0; x < w; x++) memcpy(d + ((size_t)y * w + x) * 3, row + (size_t)x * 4, 3);
      }
      free(row);
    }
  } else {
    if (layout == DAV1D_PIXEL_LAYOUT_I444) r = I444ToARGBMatrix(Y, sy, V, suv, U, suv, d, w * 4, m, w, h);
    else if (layout == DAV1D_PIXEL_LAYOUT_I422) r = I422ToARGBMatrixFilter(Y, sy, V, suv, U, suv, d, w * 4, m, w, h, kFilterBilinear);
    else if (layout == DAV1D_PIXEL_LAYOUT_I420) r = I420ToARGBMatrixFilter(Y, sy, V, suv, U, suv, d, w * 4, m, w, h, kFilterBilinear);
    else r = I400ToARGBMatrix(Y, sy, d, w * 4, m, w, h);
  }
  if (r != 0) {
    snprintf(j->message, sizeof j->message, "libyuv could not convert the picture");
    return -1;
  }
  return 0;
}

static void run(job *j) {
  Dav1dPicture pic, apic;
  const unsigned bands = j->format == F_RGBA ? 4 : j->format == F_RGB ? 3 : 1;
  j->ok = 0;
  j->unsupported = 0;
  j->message[0] = '\0';
  if ((size_t)j->width * j->height * bands > j->dst_len) {
    snprintf(j->message, sizeof j->message, "a %ux%u output does not fit the %zu bytes given", j->width, j->height, j->dst_len);
    return;
  }
  if (decode_samples(j, j->colour, j->ncolour, &pic, "the colour image") != 0) return;
  j->layout = (int)pic.p.layout;
  j->full_range = pic.seq_hdr->color_range;
  j->depth = pic.p.bpc;
  if ((unsigned)pic.p.w != j->width || (unsigned)pic.p.h != j->height) {
    snprintf(j->message, sizeof j->message, "the AV1 picture is %dx%d, the container says %ux%u", pic.p.w, pic.p.h, j->width, j->height);
    dav1d_picture_unref(&pic);
    return;
  }
  const int c = convert(j, &pic);
  dav1d_picture_unref(&pic);
  if (c != 0) {
    j->unsupported = c > 0;
    return;
  }
  if (j->format == F_RGBA) {
    if (j->nalpha == 0) {
      for (size_t i = 3; i < (size_t)j->width * j->height * 4; i += 4) j->dst[i] = 0xff;
    } else {
      if (decode_samples(j, j->alpha, j->nalpha, &apic, "the alpha image") != 0) return;
      if ((unsigned)apic.p.w != j->width || (unsigned)apic.p.h != j->height || apic.p.bpc != 8) {
        snprintf(j->message, sizeof j->message, "the alpha picture is %dx%d at %d bits, the colour one %ux%u", apic.p.w, apic.p.h, apic.p.bpc, j->width, j->height);
        j->unsupported = apic.p.bpc != 8;
        dav1d_picture_unref(&apic);
        return;
      }
      /* a limited-range alpha plane is brought to full range as libavif's avifLimitedToFullY does */
      const int limited = !apic.seq_hdr->color_range;
      for (unsigned y = 0; y < j->height; y++) {
        const uint8_t *a = (const uint8_t *)apic.data[0] + (ptrdiff_t)y * apic.stride[0];
        uint8_t *out = j->dst + (size_t)y * j->width * 4 + 3;
        for (unsigned x = 0; x < j->width; x++) {
          int v = a[x];
          if (limited) {
            v = ((v - 16) * 255 + 109) / 219;
            v = v < 0 ? 0 : v > 255 ? 255 : v;
          }
          out[(size_t)x * 4] = (uint8_t)v;
        }
      }
      dav1d_picture_unref(&apic);
    }
  }
  j->ok = 1;
}

/* ---- Node-API glue (src/kernels/napi.h) ---- */

#define ARGC 10

/* an array of Uint8Arrays into samples (pointers stay valid while the array is referenced) */
static int samples_of(napi_env env, napi_value v, sample_t **out, unsigned *n) {
  bool is = false;
  uint32_t len = 0;
  if (napi_is_array(env, v, &is) != napi_ok || !is || napi_get_array_length(env, v, &len) != napi_ok || len > MAX_SAMPLES) return 0;
  *out = calloc(len > 0 ? len : 1, sizeof(sample_t));
  if (*out == NULL) return 0;
  for (uint32_t i = 0; i < len; i++) {
    napi_value e;
    uint8_t *data = NULL;
    size_t l = 0;
    if (napi_get_element(env, v, i, &e) != napi_ok || !imarray_u8_of(env, e, &data, &l)) return 0;
    (*out)[i].data = data;
    (*out)[i].len = l;
  }
  *n = len;
  return 1;
}

static void free_job(job *j) {
  free(j->colour);
  free(j->alpha);
  free(j);
}

static job *parse(napi_env env, napi_callback_info info, napi_value argv[ARGC]) {
  size_t argc = ARGC;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != ARGC) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "avif.decode(colour, alpha, dst, dstOffset, width, height, format, mc, cp, threads): 10 arguments");
    return NULL;
  }
  job *j = calloc(1, sizeof(job));
  if (j == NULL) { napi_throw_error(env, "ERR_MEMORY", "avif.decode: out of memory"); return NULL; }
  napi_valuetype t;
  if (!samples_of(env, argv[0], &j->colour, &j->ncolour) || j->ncolour == 0) {
    free_job(j);
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "avif.decode: colour must be a non-empty array of Uint8Arrays");
    return NULL;
  }
  if (napi_typeof(env, argv[1], &t) != napi_ok || (t != napi_null && !samples_of(env, argv[1], &j->alpha, &j->nalpha))) {
    free_job(j);
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "avif.decode: alpha must be null or an array of Uint8Arrays");
    return NULL;
  }
  uint8_t *dst = NULL;
  size_t dlen = 0;
  if (!imarray_u8_of(env, argv[2], &dst, &dlen)) {
    free_job(j);
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "avif.decode: dst must be a Uint8Array");
    return NULL;
  }
  int64_t v[7];
  const int64_t lo[7] = { 0, 1, 1, 0, -1, -1, 1 };
  const int64_t hi[7] = { (int64_t)dlen, 1 << 16, 1 << 16, 2, 255, 255, 64 };
  static const char *const names[7] = { "dstOffset", "width", "height", "format", "mc", "cp", "threads" };
  if (!imarray_int_args(env, argv + 3, 7, lo, hi, names, "avif.decode", v)) {
    free_job(j);
    return NULL;
  }
  j->dst = dst + v[0];
  j->dst_len = dlen - (size_t)v[0];
  j->width = (unsigned)v[1];
  j->height = (unsigned)v[2];
  j->format = (int)v[3];
  j->mc = (int)v[4];
  j->cp = (int)v[5];
  j->threads = (int)v[6];
  return j;
}

static napi_value result_of(napi_env env, const job *j) {
  napi_value r, v;
  napi_create_object(env, &r);
  napi_get_boolean(env, j->ok != 0, &v);
  napi_set_named_property(env, r, "ok", v);
  napi_get_boolean(env, j->unsupported != 0, &v);
  napi_set_named_property(env, r, "unsupported", v);
  napi_create_string_utf8(env, j->message, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, r, "message", v);
  return r;
}


static void run_job(void *j) { run(j); }
static napi_value settle(napi_env env, void *j, bool *ok) {
  *ok = true;
  return result_of(env, j);
}
static void destroy(void *j) { free_job(j); }
static const imarray_job_ops OPS = { run_job, settle, destroy };

static napi_value DecodeSync(napi_env env, napi_callback_info info) {
  napi_value argv[ARGC];
  job *j = parse(env, info, argv);
  return j == NULL ? NULL : imarray_run_sync(env, j, &OPS);
}

/* The decode on libuv's thread pool; the sample arrays and dst are held until it settles. */
static napi_value Decode(napi_env env, napi_callback_info info) {
  napi_value argv[ARGC];
  job *j = parse(env, info, argv);
  if (j == NULL) return NULL;
  const napi_value hold[3] = { argv[0], argv[2], argv[1] };
  return imarray_queue(env, "imarray.avif", j, &OPS, hold, j->alpha != NULL ? 3 : 2);
}

napi_status imarray_avif_register(napi_env env, napi_value exports) {
  return imarray_register(env, exports, "avif", Decode, DecodeSync, dav1d_version());
}
