/*
 * imarray's direct OpenJPEG decoder (the 'native' JPEG 2000 back-end), linked into the native
 * kernel (src/kernels/swizzle.c) by scripts/build-native.mjs when OpenJPEG's source is at hand
 * (scripts/fetch-sources.sh); prebuilt for linux-x64 and linux-arm64.
 *
 * It is Pillow's Jpeg2KDecode.c over a memory stream: the whole file is read with the codec
 * Pillow's plugin chose (J2K codestream or JP2), tile by tile (opj_read_tile_header /
 * opj_decode_tile_data), each tile unpacked by the unpacker Pillow's table gives for the image's
 * mode, OpenJPEG's colour space, the component count and the subsampling, with Pillow's shifts,
 * rounding offsets, subsampled-component indexing and YCbCr -> RGB table conversion, straight
 * into the caller's array in imarray's packed layout (Pillow's 4-byte pixels of LA, PA and RGB
 * written as 2 and 3 bytes: the same samples, no scratch image). The
 * stream functions behave as Pillow's file-descriptor ones do (its skip returns the position).
 * Two additions: OpenJPEG's own thread pool for code-block decoding (`threads`; the samples are
 * the same), and a partial image kept on failure (Pillow's LOAD_TRUNCATED_IMAGES keeps it too).
 *
 * JS API (registered on the kernel's exports as `j2k`):
 *   j2k.decode(src, dst, dstOffset, codec, mode, reduce, layers, threads) -> Promise<Result> (libuv pool)
 *   j2k.decodeSync(...same)                                                -> Result
 *   codec: 0 J2K codestream, 1 JP2. mode: 0 L, 1 P, 2 PA, 3 I;16, 4 LA, 5 RGB, 6 RGBA, 7 CMYK.
 *   Result: { ok: boolean, message: string, tiles: number } -- ok false: Pillow's "broken data
 *   stream" (message says where: OpenJPEG's last error, or the check that failed); the tiles
 *   decoded before it are in dst. Arguments out of range throw (RangeError / TypeError).
 */
#include "../../kernels/napi.h"
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openjpeg.h>

enum { M_L = 0, M_P = 1, M_PA = 2, M_I16 = 3, M_LA = 4, M_RGB = 5, M_RGBA = 6, M_CMYK = 7 };
/* bytes per pixel of imarray's packed layout */
static const unsigned PACKED[8] = { 1, 1, 2, 2, 2, 3, 4, 4 };

/* the output: rows of xsize * pixel bytes */
typedef struct {
  uint8_t *data;
  unsigned xsize, ysize, pixel;
} im_t;
#define ROW(im, y) ((im)->data + (size_t)(y) * (im)->xsize * (im)->pixel)

typedef struct {
  OPJ_UINT32 tile_index;
  OPJ_UINT32 data_size;
  OPJ_INT32 x0, y0, x1, y1;
  OPJ_UINT32 nb_comps;
} tile_t;

typedef void (*unpacker_t)(const opj_image_t *in, const tile_t *tile, const uint8_t *data, im_t *im);

/* ---- Pillow's unpackers (Jpeg2KDecode.c), byte for byte ---- */

static inline unsigned j2ku_shift(unsigned x, int n) {
  return n < 0 ? x >> -n : x << n;
}

/* bytes per sample in OpenJPEG's tile data: 1, 2 or 4 (3 is stored in 4) */
static inline int csize_of(const opj_image_comp_t *c) {
  const int s = (int)((c->prec + 7) >> 3);
  return s == 3 ? 4 : s;
}

static inline uint32_t word_at(const uint8_t *p, int csiz, size_t i) {
  if (csiz == 1) return p[i];
  if (csiz == 2) { uint16_t v; memcpy(&v, p + 2 * i, 2); return v; }
  uint32_t v;
  memcpy(&v, p + 4 * i, 4);
  return v;
}

/* a sample's shift to `bits` and its rounding / sign offset */
static void scaling(const opj_image_comp_t *c, int bits, int *shift, int *offset) {
  *shift = bits - (int)c->prec;
  *offset = c->sgnd ? 1 << (c->prec - 1) : 0;
  if (*shift < 0) *offset += 1 << (-*shift - 1);
}

static void j2ku_gray_l(const opj_image_t *in, const tile_t *t, const uint8_t *data, im_t *im) {
  const unsigned x0 = t->x0 - in->x0, y0 = t->y0 - in->y0, w = t->x1 - t->x0, h = t->y1 - t->y0;
  int shift, offset;
  scaling(&in->comps[0], 8, &shift, &offset);
  const int csiz = csize_of(&in->comps[0]);
  for (unsigned y = 0; y < h; ++y) {
    uint8_t *row = ROW(im, y0 + y) + x0;
    for (unsigned x = 0; x < w; ++x) row[x] = (uint8_t)j2ku_shift(offset + word_at(data, csiz, (size_t)y * w + x), shift);
  }
}

static void j2ku_gray_i(const opj_image_t *in, const tile_t *t, const uint8_t *data, im_t *im) {
  const unsigned x0 = t->x0 - in->x0, y0 = t->y0 - in->y0, w = t->x1 - t->x0, h = t->y1 - t->y0;
  int shift, offset;
  scaling(&in->comps[0], 16, &shift, &offset);
  const int csiz = csize_of(&in->comps[0]);
  for (unsigned y = 0; y < h; ++y) {
    uint8_t *row = ROW(im, y0 + y) + 2 * (size_t)x0;
    for (unsigned x = 0; x < w; ++x) {
      const uint16_t v = (uint16_t)j2ku_shift(offset + word_at(data, csiz, (size_t)y * w + x), shift);
      row[2 * x] = (uint8_t)v; /* I;16 is little-endian in memory, as Pillow's */
      row[2 * x + 1] = (uint8_t)(v >> 8);
    }
  }
}

static void j2ku_gray_rgb(const opj_image_t *in, const tile_t *t, const uint8_t *data, im_t *im) {
  const unsigned x0 = t->x0 - in->x0, y0 = t->y0 - in->y0, w = t->x1 - t->x0, h = t->y1 - t->y0;
  int shift, offset;
  scaling(&in->comps[0], 8, &shift, &offset);
  const int csiz = csize_of(&in->comps[0]);
  /* Pillow offsets this row by x0 bytes rather than pixels; its header reading never gives a
     grey codestream an RGB(A) mode, so no file reaches that: here the tile goes where it is */
  for (unsigned y = 0; y < h; ++y) {
    uint8_t *row = ROW(im, y0 + y) + (size_t)x0 * im->pixel;
    for (unsigned x = 0; x < w; ++x) {
      const uint8_t byte = (uint8_t)j2ku_shift(offset + word_at(data, csiz, (size_t)y * w + x), shift);
      row[0] = row[1] = row[2] = byte;
      if (im->pixel == 4) row[3] = 0xff;
      row += im->pixel;
    }
  }
}

static void j2ku_graya_la(const opj_image_t *in, const tile_t *t, const uint8_t *data, im_t *im) {
  const unsigned x0 = t->x0 - in->x0, y0 = t->y0 - in->y0, w = t->x1 - t->x0, h = t->y1 - t->y0;
  int shift, offset, ashift, aoffset;
  scaling(&in->comps[0], 8, &shift, &offset);
  scaling(&in->comps[1], 8, &ashift, &aoffset);
  const int csiz = csize_of(&in->comps[0]), acsiz = csize_of(&in->comps[1]);
  const uint8_t *adata = data + (size_t)csiz * w * h;
  /* Pillow's L, L, L, A: LA and PA keep the first and the last, RGBA all four */
  const unsigned last = im->pixel - 1;
  for (unsigned y = 0; y < h; ++y) {
    uint8_t *row = ROW(im, y0 + y) + (size_t)x0 * im->pixel;
    for (unsigned x = 0; x < w; ++x) {
      const size_t i = (size_t)y * w + x;
      const uint8_t byte = (uint8_t)j2ku_shift(offset + word_at(data, csiz, i), shift);
      row[0] = byte;
      if (last == 3) row[1] = row[2] = byte;
      row[last] = (uint8_t)j2ku_shift(aoffset + word_at(adata, acsiz, i), ashift);
      row += im->pixel;
    }
  }
}

/* Pillow's ImagingConvertYCbCr2RGB (ConvertYCbCr.c): its tables, SCALE 6 */
#include "ycbcr-tables.h"

static void ycbcr_to_rgb(uint8_t *p, unsigned pixels, unsigned stride) {
  for (unsigned x = 0; x < pixels; x++, p += stride) {
    const int y = p[0], cb = p[1], cr = p[2];
    const int r = y + (R_Cr[cr] >> 6), g = y + ((G_Cb[cb] + G_Cr[cr]) >> 6), b = y + (B_Cb[cb] >> 6);
    p[0] = (uint8_t)(r <= 0 ? 0 : r >= 255 ? 255 : r);
    p[1] = (uint8_t)(g <= 0 ? 0 : g >= 255 ? 255 : g);
    p[2] = (uint8_t)(b <= 0 ? 0 : b >= 255 ? 255 : b);
  }
}

/*
 * Pillow's j2ku_srgb_rgb / j2ku_sycc_rgb (n = 3) and j2ku_srgba_rgba / j2ku_sycca_rgba (n = 4):
 * n components, each possibly subsampled, indexed as Pillow does (w / dx samples a row,
 * truncated), the alpha byte 0xff for n = 3, YCbCr -> RGB per row for the sYCC ones.
 */
static void unpack_n(const opj_image_t *in, const tile_t *t, const uint8_t *data, im_t *im, unsigned nc, int ycc) {
  const unsigned x0 = t->x0 - in->x0, y0 = t->y0 - in->y0, w = t->x1 - t->x0, h = t->y1 - t->y0;
  int shifts[4], offsets[4], csiz[4];
  unsigned dx[4], dy[4];
  const uint8_t *cdata[4];
  const uint8_t *cptr = data;
  for (unsigned n = 0; n < nc; ++n) {
    cdata[n] = cptr;
    scaling(&in->comps[n], 8, &shifts[n], &offsets[n]);
    csiz[n] = csize_of(&in->comps[n]);
    dx[n] = in->comps[n].dx;
    dy[n] = in->comps[n].dy;
    cptr += (size_t)csiz[n] * (w / dx[n]) * (h / dy[n]);
  }
  for (unsigned y = 0; y < h; ++y) {
    const uint8_t *rowdata[4];
    uint8_t *row = ROW(im, y0 + y) + (size_t)x0 * im->pixel;
    uint8_t *row_start = row;
    /* Pillow fills 4 bytes a pixel (0xff after 3 components); an RGB image keeps 3 */
    const unsigned keep = nc < im->pixel ? nc : im->pixel;
    for (unsigned n = 0; n < nc; ++n) rowdata[n] = cdata[n] + (size_t)csiz[n] * (y / dy[n]) * (w / dx[n]);
    for (unsigned x = 0; x < w; ++x) {
      for (unsigned n = 0; n < keep; ++n) row[n] = (uint8_t)j2ku_shift(offsets[n] + word_at(rowdata[n], csiz[n], x / dx[n]), shifts[n]);
      if (keep == 3 && im->pixel == 4) row[3] = 0xff;
      row += im->pixel;
    }
    if (ycc) ycbcr_to_rgb(row_start, w, im->pixel);
  }
}

static void j2ku_srgb_rgb(const opj_image_t *in, const tile_t *t, const uint8_t *d, im_t *im) { unpack_n(in, t, d, im, 3, 0); }
static void j2ku_sycc_rgb(const opj_image_t *in, const tile_t *t, const uint8_t *d, im_t *im) { unpack_n(in, t, d, im, 3, 1); }
static void j2ku_srgba_rgba(const opj_image_t *in, const tile_t *t, const uint8_t *d, im_t *im) { unpack_n(in, t, d, im, 4, 0); }
static void j2ku_sycca_rgba(const opj_image_t *in, const tile_t *t, const uint8_t *d, im_t *im) { unpack_n(in, t, d, im, 4, 1); }

/* Pillow's j2k_unpackers, in its order (the first match wins) */
static const struct {
  int mode;
  OPJ_COLOR_SPACE color_space;
  unsigned components;
  int subsampling;
  unpacker_t unpacker;
} UNPACKERS[] = {
  { M_L, OPJ_CLRSPC_GRAY, 1, 0, j2ku_gray_l },
  { M_P, OPJ_CLRSPC_SRGB, 1, 0, j2ku_gray_l },
  { M_P, OPJ_CLRSPC_CMYK, 1, 0, j2ku_gray_l },
  { M_PA, OPJ_CLRSPC_SRGB, 2, 0, j2ku_graya_la },
  { M_I16, OPJ_CLRSPC_GRAY, 1, 0, j2ku_gray_i },
  { M_LA, OPJ_CLRSPC_GRAY, 2, 0, j2ku_graya_la },
  { M_RGB, OPJ_CLRSPC_GRAY, 1, 0, j2ku_gray_rgb },
  { M_RGB, OPJ_CLRSPC_GRAY, 2, 0, j2ku_gray_rgb },
  { M_RGB, OPJ_CLRSPC_SRGB, 3, 1, j2ku_srgb_rgb },
  { M_RGB, OPJ_CLRSPC_SYCC, 3, 1, j2ku_sycc_rgb },
  { M_RGB, OPJ_CLRSPC_SRGB, 4, 1, j2ku_srgb_rgb },
  { M_RGB, OPJ_CLRSPC_SYCC, 4, 1, j2ku_sycc_rgb },
  { M_RGBA, OPJ_CLRSPC_GRAY, 1, 0, j2ku_gray_rgb },
  { M_RGBA, OPJ_CLRSPC_GRAY, 2, 0, j2ku_graya_la },
  { M_RGBA, OPJ_CLRSPC_SRGB, 3, 1, j2ku_srgb_rgb },
  { M_RGBA, OPJ_CLRSPC_SYCC, 3, 1, j2ku_sycc_rgb },
  { M_RGBA, OPJ_CLRSPC_GRAY, 4, 1, j2ku_srgba_rgba },
  { M_RGBA, OPJ_CLRSPC_SRGB, 4, 1, j2ku_srgba_rgba },
  { M_RGBA, OPJ_CLRSPC_SYCC, 4, 1, j2ku_sycca_rgba },
  { M_CMYK, OPJ_CLRSPC_CMYK, 4, 1, j2ku_srgba_rgba },
};

/* ---- the stream: the file's bytes, read and skipped as Pillow's fd functions do ---- */

typedef struct {
  const uint8_t *data;
  size_t len, pos;
} mem_t;

static OPJ_SIZE_T mem_read(void *buf, OPJ_SIZE_T n, void *user) {
  mem_t *m = user;
  const size_t left = m->pos < m->len ? m->len - m->pos : 0;
  const size_t got = n < left ? n : left;
  if (got == 0) return (OPJ_SIZE_T)-1;
  memcpy(buf, m->data + m->pos, got);
  m->pos += got;
  return got;
}

/* Pillow's j2k_skip: seek from the current position, return the new position (not the count) */
static OPJ_OFF_T mem_skip(OPJ_OFF_T n, void *user) {
  mem_t *m = user;
  if (n < 0 && (size_t)(-n) > m->pos) m->pos = 0;
  else m->pos = (size_t)((OPJ_OFF_T)m->pos + n);
  return m->pos ? (OPJ_OFF_T)m->pos : (OPJ_OFF_T)-1;
}

typedef struct {
  /* in */
  const uint8_t *src;
  size_t src_len;
  uint8_t *dst;
  size_t dst_len;
  int codec, mode, reduce, layers, threads;
  unsigned width, height;
  /* out */
  int ok;
  unsigned tiles;
  char message[256];
} job;

static void on_error(const char *msg, void *user) {
  job *j = user;
  snprintf(j->message, sizeof j->message, "OpenJPEG: %s", msg);
  const size_t n = strlen(j->message);
  if (n > 0 && j->message[n - 1] == '\n') j->message[n - 1] = '\0';
}

static void broken(job *j, const char *why) {
  /* OpenJPEG's own error, where it gave one, says more than the step that failed */
  if (j->message[0] == '\0') snprintf(j->message, sizeof j->message, "%s", why);
}

/* Pillow's j2k_decode_entry, into `im` */
static void decode(job *j, im_t *im) {
  opj_stream_t *stream = NULL;
  opj_image_t *image = NULL;
  opj_codec_t *codec = NULL;
  opj_dparameters_t params;
  uint8_t *buffer = NULL;
  unpacker_t unpack = NULL;
  mem_t mem = { j->src, j->src_len, 0 };

  stream = opj_stream_create(OPJ_J2K_STREAM_CHUNK_SIZE, OPJ_TRUE);
  if (!stream) { broken(j, "cannot create a stream"); goto done; }
  opj_stream_set_read_function(stream, mem_read);
  opj_stream_set_skip_function(stream, mem_skip);
  opj_stream_set_user_data(stream, &mem, NULL);
  opj_stream_set_user_data_length(stream, j->src_len);

  opj_set_default_decoder_parameters(&params);
  params.cp_reduce = (OPJ_UINT32)j->reduce;
  params.cp_layer = (OPJ_UINT32)j->layers;
  codec = opj_create_decompress(j->codec == 1 ? OPJ_CODEC_JP2 : OPJ_CODEC_J2K);
  if (!codec) { broken(j, "cannot create a decoder"); goto done; }
  opj_set_error_handler(codec, on_error, j);
  opj_setup_decoder(codec, &params);
  if (j->threads > 1) opj_codec_set_threads(codec, j->threads);
  if (!opj_read_header(stream, codec, &image)) { broken(j, "cannot read the header"); goto done; }
  if (image->numcomps < 1 || image->numcomps > 4) { broken(j, "not 1 to 4 components"); goto done; }

  int subsampling = -1;
  for (unsigned n = 0; n < image->numcomps; ++n) {
    if (image->comps[n].dx != 1 || image->comps[n].dy != 1) { subsampling = (int)n; break; }
  }
  OPJ_COLOR_SPACE color_space = image->color_space;
  if (color_space == OPJ_CLRSPC_UNKNOWN || color_space == OPJ_CLRSPC_UNSPECIFIED) {
    if (image->numcomps <= 2) color_space = OPJ_CLRSPC_GRAY;
    else color_space = subsampling == 1 || subsampling == 2 ? OPJ_CLRSPC_SYCC : OPJ_CLRSPC_SRGB;
  }
  for (size_t n = 0; n < sizeof UNPACKERS / sizeof UNPACKERS[0]; ++n) {
    if (color_space == UNPACKERS[n].color_space && image->numcomps == UNPACKERS[n].components &&
        (UNPACKERS[n].subsampling || subsampling == -1) && j->mode == UNPACKERS[n].mode) {
      unpack = UNPACKERS[n].unpacker;
      break;
    }
  }
  if (!unpack) {
    snprintf(j->message, sizeof j->message, "no unpacker for this mode, colour space %d, %u components%s", (int)color_space, image->numcomps,
      subsampling >= 0 ? " (subsampled)" : "");
    goto done;
  }

  for (;;) {
    tile_t t;
    OPJ_BOOL more;
    const unsigned correction = (1u << params.cp_reduce) - 1;
    if (!opj_read_tile_header(codec, stream, &t.tile_index, &t.data_size, &t.x0, &t.y0, &t.x1, &t.y1, &t.nb_comps, &more)) {
      broken(j, "cannot read a tile header");
      goto done;
    }
    if (!more) break;
    t.x0 = (OPJ_INT32)(((OPJ_UINT32)t.x0 + correction) >> params.cp_reduce);
    t.y0 = (OPJ_INT32)(((OPJ_UINT32)t.y0 + correction) >> params.cp_reduce);
    t.x1 = (OPJ_INT32)(((OPJ_UINT32)t.x1 + correction) >> params.cp_reduce);
    t.y1 = (OPJ_INT32)(((OPJ_UINT32)t.y1 + correction) >> params.cp_reduce);
    if (t.x0 >= t.x1 || t.y0 >= t.y1 || t.x0 < 0 || t.y0 < 0 || (OPJ_UINT32)t.x0 < image->x0 || (OPJ_UINT32)t.y0 < image->y0 ||
        (OPJ_INT32)(t.x1 - image->x0) > (OPJ_INT32)im->xsize || (OPJ_INT32)(t.y1 - image->y0) > (OPJ_INT32)im->ysize) {
      snprintf(j->message, sizeof j->message, "tile %u (%d,%d)-(%d,%d) outside the %ux%u image", t.tile_index, t.x0, t.y0, t.x1, t.y1, im->xsize, im->ysize);
      goto done;
    }
    if (t.nb_comps != image->numcomps) { snprintf(j->message, sizeof j->message, "tile %u has %u components", t.tile_index, t.nb_comps); goto done; }
    const unsigned tw = (unsigned)(t.x1 - t.x0), th = (unsigned)(t.y1 - t.y0);
    unsigned total = 0;
    for (unsigned n = 0; n < t.nb_comps; n++) total += (unsigned)csize_of(&image->comps[n]);
    if (tw > UINT_MAX / total || th > UINT_MAX / total || tw > UINT_MAX / (th * total) || th > UINT_MAX / (tw * total)) {
      snprintf(j->message, sizeof j->message, "tile %u of %ux%u is too large", t.tile_index, tw, th);
      goto done;
    }
    const unsigned tile_bytes = tw * th * total;
    if (tile_bytes > t.data_size) t.data_size = tile_bytes;
    if (t.data_size > 0) {
      uint8_t *grown = realloc(buffer, t.data_size);
      if (!grown) { snprintf(j->message, sizeof j->message, "out of memory for a tile of %u bytes", t.data_size); goto done; }
      memset(grown, 0, t.data_size);
      buffer = grown;
    }
    if (!opj_decode_tile_data(codec, t.tile_index, buffer, t.data_size, stream)) { broken(j, "cannot decode a tile"); goto done; }
    unpack(image, &t, buffer, im);
    j->tiles++;
  }
  if (!opj_end_decompress(codec, stream)) { broken(j, "cannot finish the codestream"); goto done; }
  j->ok = 1;
  j->message[0] = '\0';

done:
  free(buffer);
  if (codec) opj_destroy_codec(codec);
  if (image) opj_image_destroy(image);
  if (stream) opj_stream_destroy(stream);
}

static void run(job *j) {
  const unsigned mode = (unsigned)j->mode;
  const size_t pixels = (size_t)j->width * j->height;
  j->ok = 0;
  j->tiles = 0;
  j->message[0] = '\0';
  if (pixels * PACKED[mode] > j->dst_len) {
    snprintf(j->message, sizeof j->message, "a %ux%u output does not fit the %zu bytes given", j->width, j->height, j->dst_len);
    return;
  }
  im_t im = { j->dst, j->width, j->height, PACKED[mode] };
  decode(j, &im);
}

/* ---- Node-API glue (src/kernels/napi.h) ---- */

#define ARGC 10
#define USAGE "j2k.decode(src, dst, dstOffset, width, height, codec, mode, reduce, layers, threads)"

static job *parse(napi_env env, napi_callback_info info, napi_value argv[ARGC]) {
  size_t argc = ARGC;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != ARGC) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", USAGE ": 10 arguments");
    return NULL;
  }
  uint8_t *src = NULL, *dst = NULL;
  size_t slen = 0, dlen = 0;
  int64_t v[8];
  if (!imarray_u8_of(env, argv[0], &src, &slen)) { napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "j2k.decode: src must be a Uint8Array"); return NULL; }
  if (!imarray_u8_of(env, argv[1], &dst, &dlen)) { napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "j2k.decode: dst must be a Uint8Array"); return NULL; }
  const int64_t lo[8] = { 0, 0, 0, 0, 0, 0, 0, 1 };
  const int64_t hi[8] = { (int64_t)dlen, 1 << 30, 1 << 30, 1, 7, 31, 65535, 64 };
  static const char *const names[8] = { "dstOffset", "width", "height", "codec", "mode", "reduce", "layers", "threads" };
  if (!imarray_int_args(env, argv + 2, 8, lo, hi, names, "j2k.decode", v)) return NULL;
  job *j = calloc(1, sizeof(job));
  if (j == NULL) { napi_throw_error(env, "ERR_MEMORY", "j2k.decode: out of memory"); return NULL; }
  j->src = src;
  j->src_len = slen;
  j->dst = dst + v[0];
  j->dst_len = dlen - (size_t)v[0];
  j->width = (unsigned)v[1];
  j->height = (unsigned)v[2];
  j->codec = (int)v[3];
  j->mode = (int)v[4];
  j->reduce = (int)v[5];
  j->layers = (int)v[6];
  j->threads = (int)v[7];
  return j;
}

static napi_value result_of(napi_env env, const job *j) {
  napi_value r, v;
  napi_create_object(env, &r);
  napi_get_boolean(env, j->ok != 0, &v);
  napi_set_named_property(env, r, "ok", v);
  napi_create_string_utf8(env, j->message, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, r, "message", v);
  napi_create_uint32(env, j->tiles, &v);
  napi_set_named_property(env, r, "tiles", v);
  return r;
}


static void run_job(void *j) { run(j); }
static napi_value settle(napi_env env, void *j, bool *ok) {
  *ok = true;
  return result_of(env, j);
}
static const imarray_job_ops OPS = { run_job, settle, free };

static napi_value DecodeSync(napi_env env, napi_callback_info info) {
  napi_value argv[ARGC];
  job *j = parse(env, info, argv);
  return j == NULL ? NULL : imarray_run_sync(env, j, &OPS);
}

/* The decode on libuv's thread pool; src and dst are held until it settles. */
static napi_value Decode(napi_env env, napi_callback_info info) {
  napi_value argv[ARGC];
  job *j = parse(env, info, argv);
  if (j == NULL) return NULL;
  return imarray_queue(env, "imarray.j2k", j, &OPS, argv, 2);
}

napi_status imarray_j2k_register(napi_env env, napi_value exports) {
  return imarray_register(env, exports, "j2k", Decode, DecodeSync, opj_version());
}
