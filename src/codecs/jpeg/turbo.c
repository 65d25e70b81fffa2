/*
 * imarray's direct libjpeg-turbo JPEG decoder (the 'native' JPEG back-end), linked into the
 * native kernel (src/kernels/swizzle.c) by scripts/build-native.mjs when libjpeg-turbo's source
 * is at hand (scripts/fetch-sources.sh); prebuilt for linux-x64 and linux-arm64.
 *
 * It decodes the way Pillow's JpegDecode.c drives libjpeg: jpeg_read_header, the output colour
 * space from the raw mode (L -> JCS_GRAYSCALE, RGB -> JCS_RGB, CMYK;I -> JCS_CMYK then inverted,
 * YCbCr -> JCS_YCbCr; and YCbCr with chroma repeated, for old-style JPEG in TIFF), libjpeg's defaults otherwise (ISLOW IDCT, fancy upsampling), DCT scaling
 * 1/scale for draft(). Two additions of ours: BGR output (JCS_EXT_BGR, OpenCV's order, in the
 * same pass) and a limit on the number of scans (a hostile progressive file cannot spin).
 *
 * Rows go straight into the caller's Uint8Array at the caller's offset (an image's storage or
 * a batch slot): no intermediate buffer, no copy. Every libjpeg error is caught (setjmp /
 * longjmp in error_exit) and reported as a message; warnings are counted and the first kept;
 * "Premature end of JPEG file" (libjpeg's memory source then inserts an EOI, as Pillow's
 * load_read does with LOAD_TRUNCATED_IMAGES) either stops the decode (strict) or is reported.
 *
 * JS API (registered on the kernel's exports as `jpeg`):
 *   jpeg.decode(src, dst, dstOffset, space, scale, strict)        -> Promise<Result>  (libuv pool)
 *   jpeg.decodeSync(src, dst, dstOffset, space, scale, strict)    -> Result
 *   Result: { width, height, truncated: boolean, warnings: number, warning: string }
 *   A failure throws / rejects an Error with code 'IMARRAY_JPEG' (message: libjpeg's) or
 *   'IMARRAY_JPEG_TRUNCATED' (strict and the data ended early), 'ERR_OUT_OF_RANGE' when the
 *   output would not fit dst (checked before any row is written).
 */
#include "../../kernels/napi.h"
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <jerror.h>

#define MAX_SCANS 1000

enum { SPACE_L = 0, SPACE_RGB = 1, SPACE_BGR = 2, SPACE_CMYK_I = 3, SPACE_YCBCR = 4, SPACE_YCBCR_BOX = 5 };

typedef struct {
  struct jpeg_error_mgr pub;
  jmp_buf jump;
  int strict;
  int truncated;
  int warnings;
  char warning[JMSG_LENGTH_MAX];
} err_mgr;

typedef struct {
  /* in */
  const uint8_t *src;
  size_t src_len;
  uint8_t *dst;
  size_t dst_len; /* bytes from dst (already offset) to the end of the array */
  int space;
  int scale;
  int strict;
  /* out */
  int ok;             /* 1 decoded, 0 failed */
  int truncated_fail; /* failed because the data ended early (strict) */
  int out_of_range;   /* the output would not fit */
  unsigned width, height;
  int truncated, warnings;
  char message[JMSG_LENGTH_MAX + 64];
  char warning[JMSG_LENGTH_MAX];
} job;

static void on_error(j_common_ptr cinfo) {
  err_mgr *e = (err_mgr *)cinfo->err;
  longjmp(e->jump, 1);
}

static void on_message(j_common_ptr cinfo, int level) {
  err_mgr *e = (err_mgr *)cinfo->err;
  if (level >= 0) return; /* trace messages */
  if (cinfo->err->msg_code == JWRN_JPEG_EOF) {
    e->truncated = 1;
    if (e->strict) {
      /* Pillow: "image file is truncated" unless LOAD_TRUNCATED_IMAGES */
      longjmp(e->jump, 2);
    }
  }
  if (e->warnings++ == 0) cinfo->err->format_message(cinfo, e->warning);
}

static void on_progress(j_common_ptr cinfo) {
  j_decompress_ptr d = (j_decompress_ptr)cinfo;
  if (d->input_scan_number > MAX_SCANS) {
    longjmp(((err_mgr *)cinfo->err)->jump, 3);
  }
}

static int bands_of(int space) {
  return space == SPACE_L ? 1 : space == SPACE_CMYK_I ? 4 : 3;
}

static void run(job *j) {
  struct jpeg_decompress_struct cinfo;
  struct jpeg_progress_mgr progress;
  err_mgr err;
  JSAMPROW *volatile rows = NULL; /* set after setjmp, freed after a longjmp */
  memset(&cinfo, 0, sizeof cinfo);
  cinfo.err = jpeg_std_error(&err.pub);
  err.pub.error_exit = on_error;
  err.pub.emit_message = on_message;
  err.strict = j->strict;
  err.truncated = 0;
  err.warnings = 0;
  err.warning[0] = '\0';
  j->ok = 0;
  int why = setjmp(err.jump);
  if (why != 0) {
    if (why == 2) {
      j->truncated_fail = 1;
      snprintf(j->message, sizeof j->message, "Premature end of JPEG file");
    } else if (why == 3) {
      snprintf(j->message, sizeof j->message, "more than %d scans (a progressive file this long is refused)", MAX_SCANS);
    } else {
      char msg[JMSG_LENGTH_MAX];
      cinfo.err->format_message((j_common_ptr)&cinfo, msg);
      snprintf(j->message, sizeof j->message, "%s", msg);
    }
    free(rows);
    jpeg_destroy_decompress(&cinfo);
    return;
  }
  jpeg_create_decompress(&cinfo);
  progress.progress_monitor = on_progress;
  cinfo.progress = &progress;
  jpeg_mem_src(&cinfo, j->src, (unsigned long)j->src_len);
  jpeg_read_header(&cinfo, TRUE);
  switch (j->space) {
    case SPACE_L: cinfo.out_color_space = JCS_GRAYSCALE; break;
    case SPACE_RGB: cinfo.out_color_space = JCS_RGB; break;
    case SPACE_BGR: cinfo.out_color_space = JCS_EXT_BGR; break;
    case SPACE_CMYK_I: cinfo.out_color_space = JCS_CMYK; break;
    case SPACE_YCBCR_BOX:
      /* YCbCr with each chroma sample repeated over its block (no fancy upsampling): the raw
         samples libtiff's old-style JPEG codec hands to its own YCbCr -> RGB conversion */
      cinfo.out_color_space = JCS_YCbCr;
      cinfo.do_fancy_upsampling = FALSE;
      break;
    default: cinfo.out_color_space = JCS_YCbCr; break;
  }
  if (j->scale > 1) {
    cinfo.scale_num = 1;
    cinfo.scale_denom = (unsigned)j->scale;
  }
  jpeg_calc_output_dimensions(&cinfo);
  const size_t bands = (size_t)bands_of(j->space);
  if ((size_t)cinfo.output_components != bands) {
    snprintf(j->message, sizeof j->message, "decoder gives %d components, %zu expected", cinfo.output_components, bands);
    jpeg_destroy_decompress(&cinfo);
    return;
  }
  const size_t stride = (size_t)cinfo.output_width * bands;
  const size_t h = cinfo.output_height;
  if (stride == 0 || h == 0 || h > j->dst_len / stride) {
    j->out_of_range = 1;
    snprintf(j->message, sizeof j->message, "a %ux%u output of %zu bands does not fit the %zu bytes given", cinfo.output_width, cinfo.output_height, bands, j->dst_len);
    jpeg_destroy_decompress(&cinfo);
    return;
  }
  rows = malloc(h * sizeof(JSAMPROW));
  if (rows == NULL) {
    snprintf(j->message, sizeof j->message, "out of memory");
    jpeg_destroy_decompress(&cinfo);
    return;
  }
  for (size_t y = 0; y < h; y++) rows[y] = j->dst + y * stride;
  jpeg_start_decompress(&cinfo);
  while (cinfo.output_scanline < cinfo.output_height) {
    const JDIMENSION at = cinfo.output_scanline;
    const JDIMENSION got = jpeg_read_scanlines(&cinfo, rows + at, cinfo.output_height - at);
    if (got == 0) break; /* cannot happen with a memory source; never loop on it */
    if (j->space == SPACE_CMYK_I) {
      /* Pillow's CMYK;I unpacker: every JPEG CMYK is taken as Adobe's inverted CMYK */
      uint8_t *p = rows[at];
      const size_t n = (size_t)got * stride;
      for (size_t i = 0; i < n; i++) p[i] = (uint8_t)(255 - p[i]);
    }
  }
  jpeg_finish_decompress(&cinfo);
  j->width = cinfo.output_width;
  j->height = cinfo.output_height;
  j->truncated = err.truncated;
  j->warnings = err.warnings;
  memcpy(j->warning, err.warning, sizeof j->warning);
  j->ok = 1;
  free(rows);
  jpeg_destroy_decompress(&cinfo);
}

/* ---- Node-API glue (src/kernels/napi.h) ---- */

static napi_value throw_range(napi_env env, const char *msg) {
  napi_throw_range_error(env, "ERR_OUT_OF_RANGE", msg);
  return NULL;
}

static napi_value throw_type(napi_env env, const char *msg) {
  napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", msg);
  return NULL;
}

/* Reads the 6 arguments into a job; NULL (with a pending exception) on a bad one. */
static job *parse(napi_env env, napi_callback_info info, napi_value argv[6]) {
  size_t argc = 6;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 6) {
    throw_type(env, "jpeg.decode(src, dst, dstOffset, space, scale, strict): 6 arguments");
    return NULL;
  }
  uint8_t *src = NULL, *dst = NULL;
  size_t slen = 0, dlen = 0;
  int64_t off = 0, space = 0, scale = 0;
  bool strict = false;
  if (!imarray_u8_of(env, argv[0], &src, &slen)) { throw_type(env, "jpeg.decode: src must be a Uint8Array"); return NULL; }
  if (!imarray_u8_of(env, argv[1], &dst, &dlen)) { throw_type(env, "jpeg.decode: dst must be a Uint8Array"); return NULL; }
  if (!imarray_int_of(env, argv[2], 0, (int64_t)dlen, &off)) { throw_range(env, "jpeg.decode: dstOffset must be an integer within dst"); return NULL; }
  if (!imarray_int_of(env, argv[3], 0, 5, &space)) { throw_range(env, "jpeg.decode: space must be 0 (L), 1 (RGB), 2 (BGR), 3 (CMYK;I), 4 (YCbCr) or 5 (YCbCr, chroma repeated)"); return NULL; }
  if (!imarray_int_of(env, argv[4], 1, 8, &scale) || (scale & (scale - 1)) != 0) { throw_range(env, "jpeg.decode: scale must be 1, 2, 4 or 8"); return NULL; }
  if (napi_get_value_bool(env, argv[5], &strict) != napi_ok) { throw_type(env, "jpeg.decode: strict must be a boolean"); return NULL; }
  job *j = calloc(1, sizeof(job));
  if (j == NULL) { napi_throw_error(env, "ERR_MEMORY", "jpeg.decode: out of memory"); return NULL; }
  j->src = src;
  j->src_len = slen;
  j->dst = dst + off;
  j->dst_len = dlen - (size_t)off;
  j->space = (int)space;
  j->scale = (int)scale;
  j->strict = strict ? 1 : 0;
  return j;
}

static napi_value error_of(napi_env env, const job *j) {
  return imarray_error(env, j->out_of_range ? "ERR_OUT_OF_RANGE" : j->truncated_fail ? "IMARRAY_JPEG_TRUNCATED" : "IMARRAY_JPEG", j->message);
}

static napi_value result_of(napi_env env, const job *j) {
  napi_value r, v;
  napi_create_object(env, &r);
  napi_create_uint32(env, j->width, &v);
  napi_set_named_property(env, r, "width", v);
  napi_create_uint32(env, j->height, &v);
  napi_set_named_property(env, r, "height", v);
  napi_get_boolean(env, j->truncated != 0, &v);
  napi_set_named_property(env, r, "truncated", v);
  napi_create_int32(env, j->warnings, &v);
  napi_set_named_property(env, r, "warnings", v);
  napi_create_string_utf8(env, j->warning, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, r, "warning", v);
  return r;
}


static void run_job(void *j) { run(j); }
static napi_value settle(napi_env env, void *data, bool *ok) {
  const job *j = data;
  *ok = j->ok != 0;
  return j->ok ? result_of(env, j) : error_of(env, j);
}
static const imarray_job_ops OPS = { run_job, settle, free };

static napi_value DecodeSync(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  job *j = parse(env, info, argv);
  return j == NULL ? NULL : imarray_run_sync(env, j, &OPS);
}

/* The decode on libuv's thread pool; src and dst are held until it settles. */
static napi_value Decode(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  job *j = parse(env, info, argv);
  if (j == NULL) return NULL;
  return imarray_queue(env, "imarray.jpeg", j, &OPS, argv, 2);
}

napi_status imarray_jpeg_register(napi_env env, napi_value exports) {
  char v[32];
  snprintf(v, sizeof v, "%d.%d.%d", LIBJPEG_TURBO_VERSION_NUMBER / 1000000, (LIBJPEG_TURBO_VERSION_NUMBER / 1000) % 1000, LIBJPEG_TURBO_VERSION_NUMBER % 1000);
  return imarray_register(env, exports, "jpeg", Decode, DecodeSync, v);
}
