/**
 * Where imarray deliberately differs from Pillow 12.3 on a fixture, as data: the conformance
 * harness (conformance.test.ts) expects the outcome given here instead of Pillow's, and prints
 * the reason. Keyed by the fixture path under fixtures/. Every entry needs a reason a user can
 * read in docs/pillow-versions.md.
 */
import type { ErrorCode } from '../../src/index.js';

export type Deviation =
  /** imarray raises (with this code) where Pillow gives an image. */
  | { kind: 'fails'; code: ErrorCode; reason: string }
  /** Pillow raises where imarray gives an image (equal to `sha256` of the array). */
  | { kind: 'opens'; sha256: string; reason: string }
  /** imarray raises, as Pillow does, but with another code than the harness derives from Pillow's exception. */
  | { kind: 'code'; code: ErrorCode; reason: string }
  /**
   * Pixels differ off `exactOn` (the architecture the references were made on); mode, size,
   * shape and dtype still must match, and the codec's own test bounds the difference.
   */
  | { kind: 'platform'; exactOn: NodeJS.Architecture; reason: string }
  /** Pixels differ from Pillow 12.3's (mode, size, shape and dtype still must match), with `sha256` of ours. */
  | { kind: 'values'; sha256: string; reason: string }
  /**
   * Pillow's big-endian mode (`I;16B`, a `>u2` array) is given as `mode` (`I;16`, native
   * `<u2`): the harness byte-swaps ours and expects Pillow's hash.
   */
  | { kind: 'byteorder'; mode: string; reason: string }
  /** Frames from `from` on are not compared (frame 0 and the count still are). */
  | { kind: 'frames'; from: number; reason: string };

export const DEVIATIONS: Readonly<Record<string, Deviation>> = {
  // Pillow's ZipDecode stops without an error when the zlib stream ends right after a whole
  // row, and returns the image with the rows never sent left black. That is silent garbage;
  // imarray raises the truncation (loadTruncated gives Pillow's partial image).
  'png/malformed/short_stream.png': { kind: 'fails', code: 'ERR_IMARRAY_TRUNCATED', reason: 'image data ends before the last row: typed error, not black rows' },
  // libjpeg-turbo's SIMD IDCTs (SSE2 on x64, NEON on arm64) treat the out-of-range coefficients
  // of this corrupt scan differently; test/codecs/jpeg/jpeg.test.ts bounds it (47 of 250,000 values on arm64)
  // RLE4 absolute runs: Pillow 12.3 gives every second pixel of these runs as 0; its plugin at
  // the corpus commit (BmpRleDecoder, 2026-08) and the BMP suite's pictures give both nibbles,
  // as imarray does (docs: "Pillow versions")
  'bmp/g/pal4rle.bmp': { kind: 'values', sha256: '15a793c35adf7c4a2fd5ceed62d85cfa5a4bae6245eadb5e1ec675fb83daa168', reason: 'RLE4 absolute runs: both nibbles, as the BMP suite intends' },
  'bmp/q/pal4rletrns.bmp': { kind: 'values', sha256: '603c53bd5ef3574461ef4fad2eaa98b62f74994cf7bc21389875bed7cf054934', reason: 'RLE4 absolute runs: both nibbles, as the BMP suite intends' },
  // MPO: frame 0 only so far (nFrames is right; seek to the second picture raises EndOfSequenceError)
  // TIFF: big-endian 16-bit grey is Pillow's mode I;16B (a >u2 array); JS typed arrays are
  // native-endian, so imarray gives the same values as I;16 (<u2)
  'tiff/16bit.MM.cropped.tif': { kind: 'byteorder', mode: 'I;16', reason: 'I;16B as I;16: the same values in native byte order' },
  'tiff/16bit.MM.deflate.tif': { kind: 'byteorder', mode: 'I;16', reason: 'I;16B as I;16: the same values in native byte order' },
  // TIFF compressions whose decoder sharp's libtiff is built without (and imarray has none of its own)
  'tiff/hopper_lzma.tif': { kind: 'fails', code: 'ERR_IMARRAY_UNSUPPORTED', reason: 'LZMA-compressed TIFF: no LZMA decoder' },
  'tiff/old-style-jpeg-compression.tif': { kind: 'fails', code: 'ERR_IMARRAY_UNSUPPORTED', reason: 'old-style (compression 6) JPEG TIFF: no OJPEG decoder' },
  'tiff/old-style-jpeg-compression-no-samplesperpixel.tif': { kind: 'fails', code: 'ERR_IMARRAY_UNSUPPORTED', reason: 'old-style (compression 6) JPEG TIFF: no OJPEG decoder' },
  // Pillow's libtiff has no WebP codec either and says "decoder error -2"; imarray names the compression
  'tiff/hopper_webp.tif': { kind: 'code', code: 'ERR_IMARRAY_UNSUPPORTED', reason: 'WebP-compressed TIFF: unsupported, named as such' },
  // JPEG 2000 with four components: the bundled OpenJPEG WebAssembly build decodes 1 and 3
  'jpeg2000/current_j2k_rgba.j2k': { kind: 'fails', code: 'ERR_IMARRAY_UNSUPPORTED', reason: '4-component JPEG 2000: not decoded by the bundled OpenJPEG build' },
  'jpeg2000/current_jp2_rgba_q.jp2': { kind: 'fails', code: 'ERR_IMARRAY_UNSUPPORTED', reason: '4-component JPEG 2000: not decoded by the bundled OpenJPEG build' },
  'jpeg2000/rgb_trns_ycbc.j2k': { kind: 'fails', code: 'ERR_IMARRAY_UNSUPPORTED', reason: '4-component JPEG 2000: not decoded by the bundled OpenJPEG build' },
  'jpeg2000/rgb_trns_ycbc.jp2': { kind: 'fails', code: 'ERR_IMARRAY_UNSUPPORTED', reason: '4-component JPEG 2000: not decoded by the bundled OpenJPEG build' },
  // A JP2 whose codestream is cut (no end marker) and does not decode: Pillow says "broken data
  // stream", imarray names the truncation
  'jpeg2000/balloon_eciRGBv2_aware.jp2': { kind: 'code', code: 'ERR_IMARRAY_TRUNCATED', reason: 'cut codestream: TruncatedImageError' },
  'jpeg/hopper_bad_exif.jpg': { kind: 'platform', exactOn: 'x64', reason: 'corrupt scan: SIMD IDCT differs by architecture' },
};
