/**
 * Old-style JPEG in TIFF (compression 6) with a JPEGInterchangeFormat stream and YCbCr
 * photometric, as Pillow reads it: Pillow hands YCbCr TIFFs to libtiff's TIFFRGBAImage, whose
 * old-style JPEG codec decodes the stream with libjpeg into raw (not upsampled) samples and whose
 * YCbCr -> RGB is libtiff's own (tif_color.c TIFFYCbCrToRGBInit / TIFFYCbCrtoRGB: integer tables
 * from the YCbCrCoefficients and ReferenceBlackWhite tags, each chroma sample used for its whole
 * block). Here imarray's libjpeg-turbo decoder gives YCbCr with each chroma sample repeated over
 * its block (no fancy upsampling: the same samples), and the conversion below is libtiff's.
 */
import { DecodeError, TruncatedImageError, UnsupportedError } from '../../core/errors.js';
import type { ByteSource } from '../../core/input.js';
import type { NativeJpeg } from '../../kernels/native.js';
import type { Ifd } from './ifd.js';
import type { Layout } from './layout.js';

const JPEG_INTERCHANGE_FORMAT = 513;
const JPEG_INTERCHANGE_FORMAT_LENGTH = 514;
const YCBCR_COEFFICIENTS = 529;
const REFERENCE_BLACK_WHITE = 532;
/** turbo.c's YCbCr output with chroma repeated over its block. */
const SPACE_YCBCR_BOX = 5;

const f = Math.fround;
const SHIFT = 16;
const ONE_HALF = 1 << (SHIFT - 1);
/** FIX(x): a float times 2^16, plus 0.5 in double, truncated. */
const fix = (x: number): number => Math.trunc(f(x * 65536) + 0.5);
const clamp = (v: number, lo: number, hi: number): number => (!(v >= lo) ? lo : v > hi ? hi : v);
/** Code2V(c, RB, RW, CR) in float arithmetic. */
const code2v = (c: number, rb: number, rw: number, cr: number): number => f(f((c - Math.trunc(rb)) * f(cr)) / f(rw - rb !== 0 ? f(rw - rb) : 1));

interface Tables { crR: Int32Array; cbB: Int32Array; crG: Int32Array; cbG: Int32Array; y: Int32Array }

/** TIFFYCbCrToRGBInit. */
export function ycbcrTables(lumaIn: readonly number[], rbwIn: readonly number[]): Tables {
  const [lr, lg, lb] = lumaIn.map(f);
  const rbw = rbwIn.map(f);
  const f1 = f(2 - f(2 * lr));
  const d1 = fix(clamp(f1, 0, 2));
  const f2 = f(f(lr * f1) / lg);
  const d2 = -fix(clamp(f2, 0, 2));
  const f3 = f(2 - f(2 * lb));
  const d3 = fix(clamp(f3, 0, 2));
  const f4 = f(f(lb * f3) / lg);
  const d4 = -fix(clamp(f4, 0, 2));
  const t: Tables = { crR: new Int32Array(256), cbB: new Int32Array(256), crG: new Int32Array(256), cbG: new Int32Array(256), y: new Int32Array(256) };
  for (let i = 0, x = -128; i < 256; i++, x++) {
    const cr = Math.trunc(clamp(code2v(x, f(rbw[4] - 128), f(rbw[5] - 128), 127), -128 * 32, 128 * 32));
    const cb = Math.trunc(clamp(code2v(x, f(rbw[2] - 128), f(rbw[3] - 128), 127), -128 * 32, 128 * 32));
    t.crR[i] = (Math.imul(d1, cr) + ONE_HALF) >> SHIFT;
    t.cbB[i] = (Math.imul(d3, cb) + ONE_HALF) >> SHIFT;
    t.crG[i] = Math.imul(d2, cr);
    t.cbG[i] = Math.imul(d4, cb) + ONE_HALF;
    t.y[i] = Math.trunc(clamp(code2v(x + 128, rbw[0], rbw[1], 255), -128 * 32, 128 * 32));
  }
  return t;
}

/** TIFFYCbCrtoRGB over packed YCbCr, in place into RGB (the same 3 bytes a pixel). */
export function ycbcrToRgb(px: Uint8Array, t: Tables): void {
  const c = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);
  for (let i = 0; i < px.length; i += 3) {
    const y = t.y[px[i]];
    const cb = px[i + 1];
    const cr = px[i + 2];
    px[i] = c(y + t.crR[cr]);
    px[i + 1] = c(y + ((t.cbG[cb] + t.crG[cr]) >> SHIFT));
    px[i + 2] = c(y + t.cbB[cb]);
  }
}

/** Whether this IFD is the old-style JPEG imarray decodes: YCbCr, chunky, with a JPEGInterchangeFormat stream. */
export function isOjpegWithStream(ifd: Ifd, l: Layout): boolean {
  return l.compression === 6 && l.photometric === 6 && l.planar !== 2 && l.mode === 'RGB' && ifd.has(JPEG_INTERCHANGE_FORMAT);
}

/** Decodes it into `out` (RGB, the stored size). */
export function decodeOjpeg(s: ByteSource, ifd: Ifd, l: Layout, out: Uint8Array, jpeg: NativeJpeg, loadTruncated: boolean, name: string): void {
  const at = ifd.number(JPEG_INTERCHANGE_FORMAT, 0);
  const length = ifd.number(JPEG_INTERCHANGE_FORMAT_LENGTH, 0);
  if (at >= s.length) throw new TruncatedImageError(`image file is truncated: ${name}: the JPEG stream at offset ${at} is past the end (${s.length} bytes)`);
  // the stream runs to the end of the strips that follow it when its length is not given
  const strips = ifd.numbers(273) ?? [];
  const counts = ifd.numbers(279) ?? [];
  let end = length > 0 ? at + length : at;
  strips.forEach((o, i) => { end = Math.max(end, o + (counts[i] ?? 0)); });
  const stream = s.subarray(at, Math.min(end, s.length));
  let r;
  try {
    r = jpeg.decodeSync(stream, out, 0, SPACE_YCBCR_BOX, 1, !loadTruncated);
  } catch (e) {
    const code = (e as { code?: string }).code;
    const msg = e instanceof Error ? e.message : String(e);
    if (code === 'IMARRAY_JPEG_TRUNCATED') throw new TruncatedImageError(`image file is truncated: ${name}: ${msg}`, { cause: e });
    if (code === 'ERR_OUT_OF_RANGE') throw new UnsupportedError(`${name}: old-style JPEG whose stream is not the ${l.width}x${l.height} image (${msg})`, { cause: e });
    throw new DecodeError(`decoder error -2: ${name}: ${msg}`, { cause: e });
  }
  if (r.width !== l.width || r.height !== l.height) throw new UnsupportedError(`${name}: old-style JPEG stream of ${r.width}x${r.height} in a ${l.width}x${l.height} image`);
  const luma = ifd.numbers(YCBCR_COEFFICIENTS) ?? [0.299, 0.587, 0.114];
  // libtiff's default for YCbCr images without the tag
  const rbw = ifd.numbers(REFERENCE_BLACK_WHITE) ?? [0, 255, 128, 255, 128, 255];
  if (luma.length < 3 || rbw.length < 6) throw new DecodeError(`decoder error -2: ${name}: YCbCrCoefficients / ReferenceBlackWhite of ${luma.length} / ${rbw.length} values`);
  ycbcrToRgb(out, ycbcrTables(luma, rbw));
}
